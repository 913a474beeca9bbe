"""Review: the queue of flagged and review_required items, and the reviewer's actions.

Thin: `core.review.list_queue` gives the queue (counts, oldest waiting time,
items with their moderation and any stored guard claims); buttons call
`approve`, `edit_and_approve`, `reject` and `send_back`, which need a reviewer
name. Errors (`HeraldError`) are shown with `st.error`. Tests may preset
`st.session_state["herald_services"]`.
"""

from __future__ import annotations

import html

import streamlit as st

from core import review
from core.auth import why_not
from core.errors import HeraldError
from pages.common import get_services
from pages.components.review import render_review_history
from pages.components.signin import require_page

SERVICES_KEY = "herald_services"
FLASH_KEY = "review_flash"
COLOURS = {"rejected": "#f8c9c9", "review_required": "#fde2b8", "flagged": "#fff3b0"}


def _wait(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def _highlighted(entry: review.QueueItem) -> str:
    levels = {r.category: r.level for r in (entry.moderation.reasons if entry.moderation else ())}
    parts = []
    for segment, category in review.highlight_segments(entry.text, entry.moderation):
        text = html.escape(segment).replace("\n", "<br>")
        if category:
            colour = COLOURS.get(levels.get(category, "flagged"), "#fff3b0")
            parts.append(f'<mark style="background:{colour}" title="{html.escape(category)}">{text}</mark>')
        else:
            parts.append(text)
    return "".join(parts)


def _act(label: str, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    try:
        result = fn(*args, **kwargs)
    except HeraldError as exc:
        st.error(str(exc))
        return
    st.session_state[FLASH_KEY] = (
        f"{label}: item {result.item.id} is now {result.item.status.replace('_', ' ')}."
    )
    st.rerun()


services = st.session_state.get(SERVICES_KEY) or get_services()
user = require_page("review.view", services)
store = services.store
st.title("Review")
if flash := st.session_state.pop(FLASH_KEY, None):
    st.success(flash)

if user.kind == "single-user":  # on a laptop the name is typed; signed in, it is who signed in
    reviewer = st.text_input("Reviewer name (required for every action)", key="reviewer_name").strip()
else:
    reviewer = user.name
    st.caption(f"Reviewing as **{user.name}**; items you created go to another reviewer.")
full = review.list_queue(store)
reasons = ["all reasons", *full.reason_counts]
choice = st.selectbox(
    "Filter by reason",
    reasons,
    format_func=lambda r: r if r == "all reasons" else f"{r} ({full.reason_counts[r]})",
)
queue = full if choice == "all reasons" else review.list_queue(store, reason=choice)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Flagged", full.counts.get("flagged", 0))
c2.metric("Review required", full.counts.get("review_required", 0))
c3.metric("Low guard confidence", full.counts.get("needs_review", 0))
c4.metric("Oldest waiting", _wait(full.oldest_wait_s))

if not queue.items:
    st.info(
        "Nothing waiting for review." if choice == "all reasons" else f"No item waiting with reason {choice}."
    )

for entry in queue.items:
    with st.container(border=True):
        st.subheader(f"#{entry.item_id} · {entry.title or entry.kind}")
        st.caption(
            f"{entry.status.replace('_', ' ')} · waiting {_wait(entry.waiting_s)} · "
            f"reasons: {', '.join(entry.reason_codes) or 'none recorded'}"
        )
        st.markdown(_highlighted(entry), unsafe_allow_html=True)
        if entry.moderation:
            with st.expander("Reasons and scores"):
                st.dataframe(
                    [
                        {
                            "category": r.category,
                            "level": r.level,
                            "score": r.score,
                            "backend": r.backend,
                            "sentence": r.sentence,
                        }
                        for r in entry.moderation.reasons
                    ],
                    hide_index=True,
                )
                st.dataframe(
                    [{"category": k, "score": v} for k, v in entry.moderation.scores.items()], hide_index=True
                )
                for note in (*entry.moderation.notes, *entry.moderation.fallbacks):
                    st.caption(note)
        if entry.claims:
            with st.expander(f"Guard report and evidence ({len(entry.claims)} claims)"):
                for claim in entry.claims:
                    st.markdown(f"**{getattr(claim, 'verdict', 'claim')}** · {getattr(claim, 'text', claim)}")
                    for ev in getattr(claim, "evidence", ())[:3]:
                        where = getattr(ev, "location", "") or getattr(ev, "path", "")
                        st.caption(f"{where}: {str(getattr(ev, 'text', ev))[:500]}")
        render_review_history(store, entry.item_id)
        refused = why_not(
            user, "review.act", store.get_item(entry.item_id)
        )  # checked here, not in the browser
        if refused:
            st.caption(refused)
        note = st.text_input("Note (required to reject or send back)", key=f"note_{entry.item_id}")
        seen = {
            "version_id": entry.version_id,
            "expected_status": entry.status,
        }  # refused if someone acted first
        decisions = (("Approve", "approve", "Approved", review.approve),
                     ("Reject", "reject", "Rejected", review.reject),
                     ("Send back", "send_back", "Sent back", review.send_back))  # fmt: skip
        for col, (label, key, done, action) in zip(st.columns(3), decisions, strict=True):
            if col.button(label, key=f"{key}_{entry.item_id}", disabled=bool(refused)) and not refused:
                _act(done, action, store, entry.item_id, reviewer, note, events=services.events, **seen, by=user)
        with st.expander("Edit and approve"):
            edited = st.text_area("Corrected text", value=entry.text, key=f"edit_{entry.item_id}", height=200)
            if (
                st.button(
                    "Save edit and approve", key=f"edit_approve_{entry.item_id}", disabled=bool(refused)
                )
                and not refused
            ):
                _act(
                    "Edited",
                    review.edit_and_approve,
                    services,
                    entry.item_id,
                    reviewer,
                    edited,
                    note,
                    **seen,
                    by=user,
                )
