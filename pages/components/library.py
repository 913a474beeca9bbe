"""Render one Library item: its versions, pending improvements, a diff, restore, strategy and feedback.

Each block calls one `core.posts.library` function and renders what comes back;
`HeraldError`s become `st.error`. Restores and accepted improvements are new
versions or state changes; nothing is rewritten.
"""

from __future__ import annotations

import streamlit as st

from core.errors import HeraldError
from core.posts.library import compare_versions, item_versions, resolve_improvement, restore_version
from core.services import Services
from pages.components.agent import render_feedback, render_strategy
from pages.components.review import render_review_history
from pages.components.signin import page_user

__all__ = ["render_item"]


def render_item(services: Services, item_id: int) -> None:
    """Versions (with pending ones to accept), a diff of any two, restore, the strategy and feedback."""
    store = services.store
    # --- versions ----------------------------------------------------------------
    versions = item_versions(store, item_id)
    st.subheader(f"Versions of item {item_id}")
    st.dataframe(
        [
            {
                "version": v.version.number,
                "origin": v.origin_label,
                "state": v.version.state,
                "provider": v.version.provider,
                "ratings": v.ratings,
                "stars": None if v.mean_stars is None else round(v.mean_stars, 1),
                "created": v.version.created_at[:16].replace("T", " "),
                "preview": " ".join(v.version.text.split())[:100],
            }
            for v in versions
        ],
        hide_index=True,
    )
    numbers = {v.version.number: v.version for v in versions}
    for v in versions:
        if v.version.state != "pending":
            continue
        with st.container(border=True):
            st.markdown(f"**Version {v.version.number}** ({v.origin_label}) is waiting for your review.")
            st.text(v.version.text)
            a, b = st.columns(2)
            for col, accept, label in ((a, True, "Accept"), (b, False, "Dismiss")):
                if col.button(label, key=f"pending-{accept}-{v.version.id}"):
                    try:
                        resolve_improvement(
                            services, item_id, accept, actor=st.session_state.get("user", ""), by=page_user()
                        )
                    except HeraldError as exc:
                        st.error(str(exc))
                    else:
                        st.rerun()

    # --- diff ------------------------------------------------------------------
    st.subheader("Compare two versions")
    order = list(numbers)
    c1, c2 = st.columns(2)
    left = c1.selectbox("From", order, index=max(0, len(order) - 2), key=f"diff_a_{item_id}")
    right = c2.selectbox("To", order, index=len(order) - 1, key=f"diff_b_{item_id}")
    try:
        comparison = compare_versions(store, numbers[left].id, numbers[right].id)
    except HeraldError as exc:
        st.error(str(exc))
    else:
        d = comparison.diff
        st.caption(
            f"{d.words_added} words added, {d.words_removed} removed, similarity {d.similarity:.0%}"
            if d.changed
            else "The two versions have the same words."
        )
        st.html(comparison.html)
        with st.expander("Unified diff"):
            st.code(comparison.unified, language="diff")

    # --- restore -----------------------------------------------------------------
    r1, r2 = st.columns([2, 1])
    to_restore = r1.selectbox("Restore version", order, key=f"restore_{item_id}")
    if r2.button("Restore as a new version", key=f"restore_btn_{item_id}"):
        try:
            new = restore_version(
                services, item_id, to_restore, actor=st.session_state.get("user", ""), by=page_user()
            )
        except HeraldError as exc:
            st.error(str(exc))
        else:
            st.success(
                f"Restored version {to_restore} as version {new.proposed.number}; it was checked again and the "
                f"item is now {new.status.replace('_', ' ')}. Every version is kept."
            )

    render_review_history(store, item_id, expanded=services.store.get_item(item_id).status == "sent_back")

    # --- strategy and feedback ---------------------------------------------------
    latest_active = [v.version for v in versions if v.version.state == "active"]
    st.subheader("Strategy and feedback")
    render_strategy(services, item_id)
    target = latest_active[-1] if latest_active else versions[-1].version
    st.caption(f"Feedback is stored for version {target.number}.")
    render_feedback(services, item_id, target.id, key="lib-feedback")
