"""Dashboard: how Herald is doing over a period, whether it is getting worse, and the items behind each point.

Thin: filters -> `core.dashboard.build_dashboard` -> plotly charts from
`pages.components.dashboard_charts`, widgets and tabs from
`pages.components.dashboard_panels`. A click on a point or bar (or the drill-down select
boxes) calls `core.dashboard.drill_down` and lists the items with links to the
Library page (`library?item=ID`). Drift breaches show as banners. With no logs
the page says what will appear and how to produce it. Tests may preset
`st.session_state["herald_services"]`.
"""

from __future__ import annotations

import streamlit as st

from core.dashboard import build_dashboard, filter_options, item_refs
from core.errors import HeraldError
from pages.common import get_services
from pages.components.dashboard_panels import (
    query_from_widgets,
    render_chart,
    render_drift_tab,
    render_drill_tab,
    render_review_tab,
    show_items,
)
from pages.components.signin import require_page

SERVICES_KEY = "herald_services"
TABS = {
    "Latency": ("latency_step", "latency_provider"),
    "Providers": ("providers", "cost"),
    "Guard & moderation": ("guard", "moderation"),
    "Ratings & agent": ("ratings_dist", "ratings_trend", "reward"),
    "Video": ("renders",),
}


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.1f} kB"


services = st.session_state.get(SERVICES_KEY) or get_services()
user = require_page("dashboard.view", services)
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
for better in (r for r in dashboard.drift.results if r.status == "improved"):
    st.info(f"Improved ({better.test}): {better.message}", icon="📈")

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
    render_review_tab(services, dashboard)
with tabs[len(TABS) + 1]:
    render_drift_tab(dashboard)
with tabs[len(TABS) + 2]:
    render_drill_tab(services, dashboard)
