"""Render an item's moderation decision on the Create page: level, reasons, fallbacks.

Streamlit-side only; the decision comes from `core.review.latest_moderation`.
"""

from __future__ import annotations

import streamlit as st

from core.review import StoredModeration

__all__ = ["render_moderation"]

MESSAGES = {
    "flagged": "Moderation flagged this post: it is ready, but a reviewer will see it in the Review queue.",
    "review_required": "Moderation sent this post to the Review queue: a reviewer must approve it first.",
    "rejected": "Moderation rejected this post: it is kept, but it can never be exported.",
}


def render_moderation(stored: StoredModeration | None) -> None:
    """A warning, info or error box for a non-approved decision, with its reasons and scores."""
    if stored is None:
        return
    moderation = stored.moderation
    if moderation.level == "approved":
        st.caption("Moderation: approved.")
        return
    show = {"flagged": st.warning, "review_required": st.info, "rejected": st.error}[moderation.level]
    show(MESSAGES[moderation.level])
    with st.expander(f"Why: {', '.join(moderation.reason_codes()) or moderation.level}"):
        for reason in moderation.reasons:
            st.markdown(
                f"**{reason.category}** ({reason.level}, {reason.score:.2f}, {reason.backend}): {reason.sentence}"
            )
        for note in (*moderation.notes, *moderation.fallbacks):
            st.caption(note)
