"""Dashboard widgets: the filters, one chart with its drill-down, item links, and the Review, Drift and
drill-down tabs.

Each helper reads widgets or renders what `core.dashboard` returned; a click on
a point calls `core.dashboard.drill_down`. Charts themselves are
`pages.components.dashboard_charts`.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from core.dashboard import CHARTS, DashboardQuery, drill_down, item_refs
from pages.components.dashboard_charts import FIGURES, point_options

__all__ = [
    "EMPTY_HINTS",
    "item_link",
    "show_items",
    "query_from_widgets",
    "render_chart",
    "render_review_tab",
    "render_drift_tab",
    "render_drill_tab",
]

PERIODS = {"All time": None, "Last 24 hours": 1, "Last 7 days": 7, "Last 30 days": 30, "Custom": -1}
EMPTY_HINTS = {
    "latency_step": "step latencies appear once a post has been generated",
    "latency_provider": "provider latencies appear once a writing provider has answered",
    "providers": "fallback and error rates appear once the writing chain has run",
    "cost": "cost appears when a provider reports tokens (Groq does; local models do not)",
    "guard": "guard confidence appears once the hallucination guard checks a post",
    "moderation": "moderation levels appear once moderation has checked a post",
    "ratings_dist": "ratings appear once someone rates a post (Create page, 1-5 stars)",
    "ratings_trend": "the rating trend appears once posts are rated",
    "reward": "agent rewards appear once ratings, exports or reviews reward the strategy agent",
    "renders": "video renders appear once a video is rendered on the Video page",
}


def item_link(ref) -> str:
    """A Markdown link to the item on the Library page."""
    status = f" — {ref.status}" if ref.status else ""
    return f"- [#{ref.item_id} {ref.title}](library?item={ref.item_id}){status}"


def show_items(refs, heading: str) -> None:
    """List items with links, or say there are none."""
    st.markdown(f"**{heading}**")
    if not refs:
        st.caption("No items behind this point (its events carry no item id).")
        return
    st.markdown("\n".join(item_link(r) for r in refs))


def query_from_widgets(dash_sources, provider_names) -> DashboardQuery:
    """Read the filter widgets into a `DashboardQuery`."""
    cols = st.columns([2, 2, 2, 2])
    period = cols[0].selectbox("Period", list(PERIODS), key="dash_period")
    since = until = None
    days = PERIODS[period]
    now = datetime.now(UTC)
    if days == -1:
        picked = cols[1].date_input(
            "From - to", value=(now.date() - timedelta(days=7), now.date()), key="dash_dates"
        )
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            since = datetime.combine(picked[0], time.min, tzinfo=UTC)
            until = datetime.combine(picked[1], time.max, tzinfo=UTC)
    elif days:
        since = now - timedelta(days=days)
    source_labels = {"All sources": None, **{label: sid for sid, label in dash_sources}}
    source = cols[2].selectbox("Source", list(source_labels), key="dash_source")
    provider = cols[3].selectbox("Provider", ["All providers", *provider_names], key="dash_provider")
    return DashboardQuery(
        since=since,
        until=until,
        source_id=source_labels[source],
        provider=None if provider == "All providers" else provider,
    )


def render_chart(services, dashboard, chart: str) -> None:
    """One chart with click-to-drill-down, or its empty state."""
    options = point_options(dashboard, chart)
    if not options:
        st.info(f"Nothing yet: {EMPTY_HINTS[chart]}.")
        return
    event = st.plotly_chart(
        FIGURES[chart](dashboard),
        key=f"chart_{chart}",
        on_select="rerun",
        selection_mode=("points",),
        width="stretch",
    )
    points = (event or {}).get("selection", {}).get("points", []) if hasattr(event, "get") else []
    if points and points[0].get("customdata"):
        keys = CHARTS[chart][1]
        point = dict(zip(keys, points[0]["customdata"], strict=False))
        refs = drill_down(services, dashboard, chart, point)
        show_items(refs, "Items behind the clicked point: " + ", ".join(f"{k} {v}" for k, v in point.items()))


def render_review_tab(services, dashboard) -> None:
    """The review backlog: counts, time to decision, the backlog over time and who waits now."""
    review = dashboard.review
    c = st.columns(3)
    c[0].metric("Waiting for review", review.backlog)
    c[1].metric("Decided", review.decided)
    c[2].metric(
        "Median time to decision", "-" if review.median_hours is None else f"{review.median_hours:.1f} h"
    )
    if review.backlog_over_time.empty:
        st.info("Nothing yet: the backlog appears once moderation or the guard sends a post to review.")
    else:
        st.bar_chart(review.backlog_over_time, x="day", y="backlog")
    if review.waiting:
        show_items(item_refs(services, review.waiting[:20]), "Waiting now")


def render_drift_tab(dashboard) -> None:
    """Every drift test with its windows, and the latest alerts."""
    d = dashboard.drift
    if d.recent_start:
        st.caption(
            f"Recent window {d.recent_start:%Y-%m-%d %H:%M} to {d.recent_end:%Y-%m-%d %H:%M} UTC against "
            f"{d.reference_start:%Y-%m-%d %H:%M} to {d.reference_end:%Y-%m-%d %H:%M}; alpha {d.alpha:g}, "
            f"at least {d.min_events} events per window."
        )
    st.dataframe(
        [
            {"metric": r.label, "test": r.test, "status": r.status, "statistic": r.statistic, "p": r.p_value,
             "PSI": r.psi, "recent n": r.n_recent, "reference n": r.n_reference, "detail": r.message}
            for r in d.results
        ],
        hide_index=True,
    )  # fmt: skip
    st.markdown(f"**Alerts in this period** ({len(dashboard.alerts)}; kept in `logs/alerts.jsonl`)")
    for a in reversed(dashboard.alerts[-10:]):
        st.write(f"{a.get('recent_end', '')}: {a.get('message', '')}")


def render_drill_tab(services, dashboard) -> None:
    """Pick a chart and a point to list the items behind it."""
    st.caption("Pick a chart and a point to list the items behind it (the same as clicking the point).")
    chart = st.selectbox("Chart", list(FIGURES), key="drill_chart")
    options = point_options(dashboard, chart)
    if not options:
        st.info(f"Nothing yet: {EMPTY_HINTS[chart]}.")
    else:
        label = st.selectbox("Point", list(options), key="drill_point")
        show_items(drill_down(services, dashboard, chart, options[label]), f"Items behind {label}")
