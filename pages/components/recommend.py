"""Render recommendations for a user and the trending items (`core.recommend`)."""

from __future__ import annotations

import streamlit as st

from core.errors import HeraldError
from core.recommend import recommend, trending
from core.services import Services

__all__ = ["render_recommendations"]


def render_recommendations(services: Services) -> None:
    """Recommend for a user (left) and what is trending (right)."""
    st.subheader("Recommended and trending")
    t1, t2 = st.columns(2)
    with t1:
        user = st.text_input(
            "Recommend for user", value=st.session_state.get("user", ""), key="rec_user", max_chars=80
        )
        if st.button("Recommend", key="rec_btn"):
            try:
                with st.spinner("Scoring items…"):
                    recs = recommend(services, user)
            except HeraldError as exc:
                st.error(str(exc))
            else:
                label = "cold start: " if recs.cold_start else ""
                st.caption(
                    f"{label}{', '.join(recs.parts_used) or 'no signal yet'} · {recs.seconds * 1000:.0f} ms"
                )
                st.dataframe(
                    [
                        {
                            "id": r.item_id,
                            "title": r.title,
                            "score": r.score,
                            "why": r.reason,
                            "collab": r.collaborative,
                            "content": r.content,
                            "trend": r.trending,
                        }
                        for r in recs.items
                    ],
                    hide_index=True,
                )
                for note in recs.notes:
                    st.caption(note)
    with t2:
        hot = trending(services, 10)
        if hot:
            st.dataframe(
                [
                    {
                        "id": t.item_id,
                        "title": t.title,
                        "trend": t.score,
                        "ratings": t.ratings,
                        "exports": t.exports,
                    }
                    for t in hot
                ],
                hide_index=True,
            )
        else:
            st.caption("Nothing is trending yet: ratings and exports in the last days make items trend.")
