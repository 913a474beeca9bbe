"""Video page: a post or a script becomes an editable storyboard, rendered in the background.

Reads widgets, calls `core.video.service`, and shows what comes back: the
storyboard table, the job's progress, the player, downloads, rating, and a
pending improved storyboard as a diff to accept or dismiss.
"""

from __future__ import annotations

import streamlit as st

from core.errors import HeraldError
from core.video import ASPECTS, SCENE_KINDS, VideoOptions, storyboard_from_rows
from core.video.service import (
    VideoResult,
    job_queue,
    prepare_video,
    render_result,
    save_storyboard,
    storyboard_of,
    submit_render,
)
from pages.common import get_services
from pages.components.signin import require_page
from pages.components.video import render_pending_storyboard, render_video

QUALITIES = {
    "Full HD (1920x1080 / 1080x1920, 24 fps)": None,
    "Preview (320x180 / 180x320, 12 fps)": ((320, 180), 12),
}

services = get_services()
user = require_page("video.render", services)
ss = st.session_state
st.title("🎬 Video")
st.caption(
    "Turn a post or a script into a short video: one scene per line, with a title card, fades and an end card."
)

# --- 1. where the script comes from -------------------------------------------
with st.container(border=True):
    origin = st.radio(
        "Start from", ["Paste a script", "A post from the library"], horizontal=True, key="video_origin"
    )
    aspect = st.radio(
        "Aspect", ASPECTS, horizontal=True, key="video_aspect", help="16:9 landscape or 9:16 vertical"
    )
    title = st.text_input("Title card (optional)", key="video_title", max_chars=80)
    post_id = None
    script = ""
    if origin == "Paste a script":
        script = st.text_area(
            "Script (one scene per line)",
            key="video_script",
            height=160,
            placeholder="Herald turns a project into a post\nEvery claim is checked against the files",
        )
    else:
        posts = services.store.list_items(kind="post", limit=200)
        if not posts:
            st.info("No posts yet: write one on the Create page, or paste a script.")
        else:
            labels = {f"#{p.id} {p.title or '(untitled)'} [{p.status}]": p.id for p in posts}
            post_id = labels[st.selectbox("Post", list(labels), key="video_post")]
    if st.button("Make storyboard", type="primary", key="video_make"):
        try:
            draft = prepare_video(
                services, script=script, post_item_id=post_id, title=title, aspect=aspect, by=user
            )
            ss.video_item = draft.item_id
            ss.pop("video_result", None)
            ss.pop("video_job", None)
        except HeraldError as exc:
            st.error(str(exc))

item_id = ss.get("video_item")

# --- 2. storyboard editor and render -----------------------------------------
if item_id:
    try:
        board = storyboard_of(services, item_id)
    except HeraldError as exc:
        st.error(str(exc))
        st.stop()
    st.subheader(f"Storyboard · item #{item_id}")
    st.caption(
        f"{len(board.scenes)} scenes, {board.duration:.1f} s. Edit text, seconds or kind; add or delete rows."
    )
    edited = st.data_editor(
        [{"text": s.text, "duration": s.duration, "kind": s.kind} for s in board.scenes],
        num_rows="dynamic",
        width="stretch",
        key=f"video_editor_{item_id}_{len(services.store.versions(item_id))}",
        column_config={
            "text": st.column_config.TextColumn("Text", width="large", required=True),
            "duration": st.column_config.NumberColumn(
                "Seconds", min_value=0.2, max_value=120, step=0.1, required=True
            ),
            "kind": st.column_config.SelectboxColumn("Kind", options=list(SCENE_KINDS), required=True),
        },
    )
    c1, c2, c3 = st.columns(3)
    burn = c1.checkbox("Burn captions into the picture", key="video_burn")
    voice = c2.checkbox("Voice-over (offline: Piper or espeak-ng)", key="video_voice")
    quality = c3.selectbox("Quality", list(QUALITIES), key="video_quality")
    if st.button("Render video", type="primary", key="video_render", disabled=bool(ss.get("video_job"))):
        try:
            new_board = storyboard_from_rows(edited, aspect=aspect, title=board.title)
            save_storyboard(services, item_id, new_board)
            preset = QUALITIES[quality]
            size, fps = (None, None)
            if preset:
                (w, h), fps = preset
                size = (h, w) if aspect == "9:16" else (w, h)
            options = VideoOptions(aspect=aspect, burn_captions=burn, voice=voice, size=size, fps=fps)
            ss.video_job = submit_render(services, item_id, options, by=user)
            ss.pop("video_result", None)
        except HeraldError as exc:
            st.error(str(exc))


@st.fragment(run_every=0.5 if ss.get("video_job") else None)
def job_panel() -> None:
    """Progress of the running render; reruns the page once it finishes."""
    job_id = ss.get("video_job")
    if not job_id:
        return
    queue = job_queue(services)
    status = queue.status(job_id)
    if not status.finished:
        st.progress(status.progress, text=f"Rendering… {status.message}")
        if st.button("Cancel render", key="video_cancel"):
            queue.cancel(job_id)
        return
    ss.video_job = None
    if status.state == "done":
        ss.video_result = render_result(services, job_id).to_dict()
    elif status.state == "cancelled":
        ss.video_message = "Render cancelled; nothing was saved."
    else:
        ss.video_message = f"Render failed: {status.error}"
    st.rerun()


job_panel()
if ss.get("video_message"):
    st.warning(ss.pop("video_message"))

# --- 3. the result and 4. a pending improved storyboard ---------------------
if ss.get("video_result"):
    render_video(services, VideoResult.from_dict(ss.video_result))
if item_id:
    render_pending_storyboard(services, item_id)
