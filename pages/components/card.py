"""The project card on the Create page: what Herald read about the project, where, and the creator's corrections."""

from __future__ import annotations

import streamlit as st

from core.posts.pipeline import CardEdit

__all__ = ["render_card"]


def render_card(card, *, key: str = "card") -> CardEdit | None:  # type: ignore[no-untyped-def]
    """The card's fields with their sources, and a form to untick features or fix the tagline.

    Returns the creator's edit when they ask to write again from the corrected card, else None.
    """
    if card is None:
        return None
    with st.expander("Project card: what the post is written from", expanded=False):
        rows = [("name", card.name)]
        rows += [("tagline", card.tagline), ("problem", card.problem), ("language", card.language)]
        rows += [("ecosystem", card.ecosystem), ("licence", card.licence), ("usage", card.usage)]
        rows += [("install", f) for f in card.install] + [(f.label or "link", f) for f in card.links]
        st.dataframe(
            [{"field": name, "value": f.value, "from": f.location} for name, f in rows if f is not None],
            hide_index=True,
        )
        if card.release is not None:
            when = f" ({card.release.date.value})" if card.release.date else ""
            st.caption(
                f"Latest release: {card.release.version.value}{when} · {card.release.version.location}"
            )
        if card.skipped:
            st.caption("Never written from: " + "; ".join(card.skipped[:8]))
        for note in (*card.notes, *(f"edit: {e}" for e in card.edits)):
            st.caption(note)
        with st.form(f"{key}-edit"):
            st.markdown("**Correct the card, then write again**")
            tagline = st.text_input("Tagline", value=card.tagline.value if card.tagline else "")
            keep = [
                st.checkbox(f"{f.value}  ·  {f.location}", value=True, key=f"{key}-feature-{i}")
                for i, f in enumerate(card.features)
            ]
            if not st.form_submit_button("Write again from this card"):
                return None
    dropped = tuple(f.value for f, kept in zip(card.features, keep, strict=True) if not kept)
    original = card.tagline.value if card.tagline else ""
    return CardEdit(drop_features=dropped, tagline=tagline if tagline.strip() != original else None)
