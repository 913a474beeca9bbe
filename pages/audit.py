"""Audit (admins): every recorded action with who, when and on what; filters; a CSV download.

Thin: `core.auth.list_audit` filters in SQL; `audit_csv` writes the CSV (every
cell neutralised against spreadsheet formulas). Nothing here writes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from core import auth
from pages.components.signin import page_services, require_page

services = page_services()
require_page("audit.view", services)
st.title("Audit")
st.caption(
    "Every action and sign-in, recorded in the same transaction as the action. Secrets are never stored."
)

left, mid, right, far = st.columns(4)
since_day = left.date_input("Since", value=datetime.now(UTC).date() - timedelta(days=7), key="audit_since")
who = mid.text_input("User", key="audit_user").strip()
what = right.text_input(
    "Action starts with", key="audit_action", placeholder="signin, review., user."
).strip()
outcome = far.selectbox("Outcome", ["any", "ok", "failed", "locked"], key="audit_outcome")

since = (
    datetime.combine(since_day, time.min, tzinfo=UTC).isoformat(timespec="milliseconds")
    if since_day
    else None
)
entries = auth.list_audit(
    services.store,
    since=since,
    user=who or None,
    action=what or None,
    outcome=None if outcome == "any" else outcome,
    limit=5000,
)
st.metric("Entries", len(entries))
if entries:
    frame = pd.DataFrame(
        [
            {
                "time": e.ts,
                "user": e.user,
                "roles": e.roles,
                "action": e.action,
                "target": e.target,
                "outcome": e.outcome,
                "detail": str(e.detail or ""),
            }
            for e in entries
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV",
        auth.audit_csv(entries).encode("utf-8"),
        "herald-audit.csv",
        "text/csv",
        key="audit_csv",
    )
else:
    st.info("No entries match these filters.")
