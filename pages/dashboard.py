"""Dashboard: how Herald is doing over a period, whether it is getting worse, and the items behind each point.

Thin: filters -> `core.dashboard.build_dashboard` -> plotly charts from
`pages.components.dashboard_charts`. A click on a point or bar (or the drill-down select
boxes) calls `core.dashboard.drill_down` and lists the items with links to the
Library page (`library?item=ID`). Drift breaches show as banners. With no logs
the page says what will appear and how to produce it. Tests may preset
`st.session_state["herald_services"]`.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import streamlit as st

from core.dashboard import CHARTS, DashboardQuery, build_dashboard, drill_down, filter_options, item_refs
from core.errors import HeraldError
from pages.common import get_services
from pages.components.dashboard_charts import FIGURES, point_options

SERVICES_KEY = "herald_services"
PERIODS = {"All time": None, "Last 24 hours": 1, "Last 7 days": 7, "Last 30 days": 30, "Custom": -1}
TABS = {
    "Latency": ("latency_step", "latency_provider"),
    "Providers": ("providers", "cost"),
    "Guard & moderation": ("guard", "moderation"),
    "Ratings & agent": ("ratings_dist", "ratings_trend", "reward"),
    "Video": ("renders",),
}
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


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.1f} kB"


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


services = st.session_state.get(SERVICES_KEY) or get_services()
st.title("Dashboard")
st.caption(
    "Quality, speed and safety of what Herald writes, from the event log; drift alerts when it gets worse."
)

try:
    query = query_from_widgets(*filter_options(services))
    dashboard = build_dashboard(services, query)
except HeraldError as exc:
    st.error(str(exc))
    st.stop()

report = dashboard.report
st.caption(f"Read: {report.summary()} in {report.seconds:.2f} s ({report.source}).")
if report.truncated:
    st.warning(
        f"The logs hold {_size(report.bytes_total)}; the dashboard read the newest "
        f"{_size(report.bytes_read)}. Raise HERALD_METRICS_MAX_BYTES to read more."
    )
if report.malformed:
    st.warning(f"{report.malformed:,} log line(s) were not JSON objects and were skipped.")

if dashboard.empty:
    st.info(
        "No events yet for this selection.\n\n"
        "Here you will see latency percentiles per step and provider, fallback and error rates, guard confidence "
        "and unsupported claims, moderation levels, ratings, agent reward, video renders, cost, the review "
        "backlog, and drift alerts.\n\n"
        "To produce events: generate a post on the **Create** page (or `python -m core generate --source PATH`), "
        "rate it, render a video. Every step appends a line to "
        f"`{services.settings.log_dir}/events.jsonl`."
    )
    st.stop()

for breach in dashboard.drift.breaches:
    with st.container(border=True):
        st.error(f"Drift alert ({breach.test}): {breach.message}", icon="🚨")
        if breach.items:
            with st.expander(f"{len(breach.items)} item(s) behind this alert"):
                show_items(item_refs(services, breach.items), "Worst recent items")

s = dashboard.summary
k = st.columns(6)
k[0].metric("Posts", f"{s['posts']:,}")
k[1].metric("Fallback rate", "-" if s["fallback_rate"] is None else f"{s['fallback_rate']:.0%}")
k[2].metric("Errors", f"{s['errors']:,}")
k[3].metric("Guard confidence", "-" if s["guard_confidence"] is None else f"{s['guard_confidence']:.2f}")
k[4].metric("Mean rating", "-" if s["mean_stars"] is None else f"{s['mean_stars']:.2f}")
k[5].metric("Review backlog", f"{dashboard.review.backlog:,}")

tabs = st.tabs([*TABS, "Review", "Drift", "Items behind a point"])
for tab, charts in zip(tabs, TABS.values(), strict=False):
    with tab:
        for chart in charts:
            render_chart(services, dashboard, chart)
        if "latency_step" in charts and not dashboard.latency_table.empty:
            st.dataframe(dashboard.latency_table, hide_index=True)
        if "reward" in charts:
            if dashboard.ope:
                st.markdown("**Off-policy estimates of the greedy strategy** (from logged choices)")
                st.dataframe([dashboard.ope], hide_index=True)
            else:
                st.caption("Off-policy estimates appear once the agent has logged choices and rewards.")

with tabs[len(TABS)]:
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

with tabs[len(TABS) + 1]:
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

with tabs[len(TABS) + 2]:
    st.caption("Pick a chart and a point to list the items behind it (the same as clicking the point).")
    chart = st.selectbox("Chart", list(FIGURES), key="drill_chart")
    options = point_options(dashboard, chart)
    if not options:
        st.info(f"Nothing yet: {EMPTY_HINTS[chart]}.")
    else:
        label = st.selectbox("Point", list(options), key="drill_point")
        show_items(drill_down(services, dashboard, chart, options[label]), f"Items behind {label}")
