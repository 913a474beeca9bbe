"""Plan: a batch of sources -> one job each -> a posting calendar and its Buffer / plain CSV files.

Thin: widgets -> `core.batch` (`parse_sources`, `submit_batch`, `collect_batch`,
`export_batch`) -> tables and download buttons. Jobs run on the configured
queue (in-process threads, or Celery workers), so the page only submits and
watches: press Refresh to see progress. Tests may preset
`st.session_state[SERVICES_KEY]` with a `Services` built from fakes.
"""

from __future__ import annotations

import streamlit as st

from chains.types import STYLES, TONES
from core.batch import collect_batch, export_batch, parse_schedule, parse_sources, submit_batch
from core.errors import HeraldError
from pages.common import get_services
from pages.components.signin import require_page

SERVICES_KEY = "herald_services"
BATCH = "plan_batch"
PLAN = "plan_schedule"

services = st.session_state.get(SERVICES_KEY) or get_services()
require_page("post.create", services)
st.title("Plan")
st.caption(
    "A month of posts at once: one source per line (a folder, a repository URL or demo:lumen), or a CSV "
    "with columns source, style, tone, topic. Each source runs as its own job; failures stay on their row."
)

with st.form("plan_form"):
    pasted = st.text_area(
        "Sources", height=140, placeholder="demo:lumen\n/path/to/project\nhttps://github.com/org/repo"
    )
    upload = st.file_uploader("…or a CSV / text file of sources", type=["csv", "txt"])
    cols = st.columns(2)
    style = cols[0].selectbox("Default style", STYLES)
    tone = cols[1].selectbox("Default tone", TONES)
    cols = st.columns(3)
    schedule_text = cols[0].text_input(
        "Schedule", "mon,wed,fri 09:00", help="days then times, e.g. mon-fri 09:00,17:30"
    )
    start = cols[1].date_input("First day")
    tz = cols[2].text_input("Time zone", "UTC", help="an IANA name, e.g. Europe/Berlin")
    submitted = st.form_submit_button("Run batch", type="primary")

if submitted:
    text = upload.getvalue().decode("utf-8-sig", errors="replace") if upload is not None else pasted
    try:
        schedule = parse_schedule(schedule_text, tz)
        sources = parse_sources(text, style=style, tone=tone)
        st.session_state[BATCH] = submit_batch(services, sources, created_by="plan")
        st.session_state[PLAN] = (schedule, start)
    except HeraldError as exc:
        st.error(str(exc))

batch = st.session_state.get(BATCH)
if batch is None:
    st.info("Add sources and press Run batch.")
    st.stop()

st.subheader(f"Batch · {len(batch.specs)} sources · queue: {batch.backend}")
for message in batch.messages:
    st.warning(message)
rows = collect_batch(services, batch, wait=False)
pending = [r for r in rows if r.status in ("queued", "running")]
if pending:
    finished = len(rows) - len(pending)
    st.progress(finished / len(rows), text=f"{finished} of {len(rows)} sources finished")
    st.dataframe(
        [
            {
                "source": r.source,
                "status": r.status,
                "progress": f"{r.progress:.0%}",
                "step": r.message,
                "error": r.error,
            }
            for r in rows
        ],
        hide_index=True,
        width="stretch",
    )
    st.button("Refresh")
    st.stop()

schedule, start = st.session_state[PLAN]
result = export_batch(services, rows, schedule, start)
scheduled = [r for r in result.rows if r.status == "done"]
st.success(f"{len(scheduled)} of {len(result.rows)} posts scheduled ({schedule.tz}).")
if scheduled:
    st.markdown("**Calendar**")
    st.dataframe(
        [
            {
                "posting time": r.posting_time,
                "title": r.title,
                "source": r.source,
                "item": r.item_id,
                "engagement": r.engagement,
            }
            for r in scheduled
        ],
        hide_index=True,
        width="stretch",
    )
for name, text in result.buffer_files:
    st.download_button(f"Buffer CSV: {name}", text.encode("utf-8"), file_name=name, mime="text/csv")
st.download_button(
    "Plain CSV (every row)", result.plain_csv.encode("utf-8"), file_name="herald-batch.csv", mime="text/csv"
)
if result.excluded:
    st.markdown("**Not exported**")
    st.table([{"source": r.source, "status": r.status, "reason": r.error} for r in result.excluded])
