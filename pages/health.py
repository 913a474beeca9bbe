"""Health: which writing providers are usable now, the models, guard stages, database, disk and logs.

Thin: `core.health.check_health(services)` -> tables and badges. Loading the
embedding model (to see it load and how long it takes) happens only on a button
press. Tests may preset `st.session_state["herald_services"]`.
"""

from __future__ import annotations

import streamlit as st

from core.health import check_health
from pages.common import get_services
from pages.components.signin import require_page

SERVICES_KEY = "herald_services"


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n < 1e9 else f"{n / 1e9:,.2f} GB"


services = st.session_state.get(SERVICES_KEY) or get_services()
user = require_page("health.view", services)
st.title("Health")
st.caption("What Herald can use right now. Nothing here calls the network.")

load_now = st.button("Load the embedding model now", help="Loads all-MiniLM-L6-v2 and times it")
report = check_health(services, load_embedder=load_now)

if report.ok:
    st.success("Everything Herald needs is usable.")
for problem in report.problems:
    st.error(problem)

st.subheader("Writing providers")
if not report.providers:
    st.info("No writing provider is configured: set HERALD_PROVIDERS (e.g. groq,local,template).")
else:
    st.dataframe(
        [
            {
                "provider": p.name,
                "model": p.model,
                "in fallback order": "yes" if p.configured else "no",
                "usable now": "✅ yes" if p.available else "❌ no",
                "why": p.reason,
                "last latency": "-" if p.last_latency_ms is None else f"{p.last_latency_ms:,.0f} ms",
                "last error": p.last_error or "-",
                "last seen": p.last_seen or "never",
            }
            for p in report.providers
        ],
        hide_index=True,
    )
    st.caption("Order is the fallback order. Last latency and error come from the event log.")

st.subheader("Models, moderation backends and guard stages")
st.dataframe(
    [
        {
            "kind": c.kind,
            "name": c.name,
            "available": "✅ yes" if c.available else "❌ no",
            "loaded": "-" if c.loaded is None else ("yes" if c.loaded else "no"),
            "load time": "-" if c.load_s is None else f"{c.load_s:.2f} s",
            "detail": c.detail,
        }
        for c in report.components
    ],
    hide_index=True,
)

st.subheader("Database")
db = report.database
cols = st.columns(3)
cols[0].metric("Size", _mb(db.size_bytes))
cols[1].metric("Integrity check", db.integrity)
cols[2].metric("Migrations applied", len(db.migrations))
st.caption(f"`{db.path}` — migrations: {', '.join(db.migrations) or 'none'}")

st.subheader("Disk")
disk = report.disk
st.metric("Free under the data folder", _mb(disk.free_bytes), help=disk.path)
st.progress(
    min(1.0, 1 - disk.free_bytes / max(1, disk.total_bytes)), text=f"{_mb(disk.total_bytes)} in total"
)

st.subheader("Logs")
if not report.logs:
    st.info(f"No log files yet in `{report.log_dir}`: they appear once a post is generated.")
else:
    st.dataframe(
        [{"file": f.name, "size": _mb(f.size_bytes), "modified (UTC)": f.modified} for f in report.logs],
        hide_index=True,
    )
    st.caption(f"In `{report.log_dir}`; events.jsonl rotates at HERALD_LOG_MAX_BYTES.")
