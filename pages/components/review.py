"""The review history of one item (who, when, action, note, version), for the Review and Library pages."""

from __future__ import annotations

import streamlit as st

from core import review
from core.store import Store

__all__ = ["render_review_history"]


def render_review_history(store: Store, item_id: int, *, expanded: bool = False) -> None:
    """An expander listing every reviewer action on the item, oldest first (nothing when there is none)."""
    actions = review.review_history(store, item_id)
    if not actions:
        return
    with st.expander(f"Review history ({len(actions)})", expanded=expanded):
        st.dataframe(
            [
                {
                    "when": a.created_at[:19].replace("T", " "),
                    "reviewer": a.reviewer,
                    "action": a.action.replace("_", " "),
                    "note": a.note,
                    "version": a.new_version_id or a.version_id,
                    "status": f"{a.from_status} → {a.to_status}".replace("_", " "),
                }
                for a in actions
            ],
            hide_index=True,
        )
