"""Render helpers shared by pages (Streamlit-side only); pages import what is named here."""

from pages.components.post import (
    LiveDraft,
    render_draft,
    render_engagement,
    render_exports,
    render_passages,
    render_rating,
    render_refine,
)

__all__ = [
    "LiveDraft",
    "render_draft",
    "render_engagement",
    "render_exports",
    "render_passages",
    "render_rating",
    "render_refine",
]
