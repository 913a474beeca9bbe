"""Render a rendered video (player, downloads, rating) and a pending improved storyboard.

Each helper calls one `core.video.service` function for its button or form and
renders what comes back; `HeraldError`s become `st.error`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.errors import HeraldError
from core.services import Services
from core.video.service import (
    VideoResult,
    accept_improvement,
    dismiss_improvement,
    pending_improvement,
    rate_video,
)
from pages.components.signin import page_user

__all__ = ["render_video", "render_pending_storyboard"]


def render_video(services: Services, result: VideoResult) -> None:
    """The player, thumbnail and downloads of a rendered video, and a form to rate it."""
    st.subheader("Your video")
    st.caption(
        f"{result.width}x{result.height}, {result.duration_s:.1f} s, rendered in {result.render_s:.1f} s "
        f"({result.duration_s / max(result.render_s, 0.001):.0f}x real time)"
    )
    for note in result.notes:
        st.info(note)
    player, side = st.columns([3, 1])
    player.video(Path(result.mp4).read_bytes(), format="video/mp4")
    side.image(result.thumbnail, caption="Thumbnail")
    stem = Path(result.mp4).stem
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Download MP4", Path(result.mp4).read_bytes(), f"{stem}.mp4", "video/mp4", key="dl_mp4"
    )
    d2.download_button(
        "Download SRT", Path(result.srt).read_bytes(), f"{stem}.srt", "application/x-subrip", key="dl_srt"
    )
    d3.download_button(
        "Download PNG", Path(result.thumbnail).read_bytes(), f"{stem}.png", "image/png", key="dl_png"
    )

    with st.form("video_rating", clear_on_submit=True):
        st.markdown("**Rate this video**")
        stars = st.radio("Stars", [1, 2, 3, 4, 5], index=3, horizontal=True, key="video_stars")
        comment = st.text_area("What should change?", key="video_comment", height=80)
        if st.form_submit_button("Send rating"):
            try:
                outcome = rate_video(services, result.item_id, int(stars), comment, by=page_user())
                st.success("Thanks, rating saved.")
                for note in outcome.notes:
                    st.info(note)
            except HeraldError as exc:
                st.error(str(exc))


def render_pending_storyboard(services: Services, item_id: int) -> None:
    """An improved storyboard proposed from a rating, as a diff to accept or dismiss (nothing if none waits)."""
    pending = pending_improvement(services, item_id)
    if pending is not None:
        st.subheader("Improved storyboard proposed")
        st.caption(f"From your rating's comment, written by {pending.provider or 'the writing chain'}.")
        st.code(pending.diff or "(no line changes)", language="diff")
        a, b = st.columns(2)
        if a.button("Accept improved storyboard", key="video_accept"):
            accept_improvement(services, pending.version_id)
            st.rerun()
        if b.button("Dismiss", key="video_dismiss"):
            dismiss_improvement(services, pending.version_id)
            st.rerun()
