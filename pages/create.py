"""Create: pick a project, write a brief, generate a grounded LinkedIn post, then refine, rate, export.

Thin: widgets -> `core.posts.pipeline.generate_post` -> render the stored post with
`pages.components`. The page is laid out in numbered sections; the guard and
agent engineers each add one render call in the section marked for them.
State: `st.session_state[LAST_ITEM]` (item id) and `[LAST_RESULT]` (the last
`PostResult`, for the guard/moderation/agent fields). Tests may preset
`st.session_state[SERVICES_KEY]` with a `Services` built from fakes.
"""

from __future__ import annotations

import streamlit as st

from chains.types import AUDIENCES, BRIEF_LENGTHS, STYLES, TONES, Brief
from core.errors import HeraldError
from core.guard.store import guard_report_for
from core.posts.pipeline import DEMO_SOURCES, SourceInput, generate_post, load_post
from core.review import latest_moderation, review_history
from pages.common import get_services
from pages.components import (
    LiveDraft,
    render_draft,
    render_engagement,
    render_exports,
    render_passages,
    render_rating,
    render_refine,
)
from pages.components.agent import render_agent_panel
from pages.components.card import render_card
from pages.components.guard import render_guard_report
from pages.components.moderation import render_moderation
from pages.components.signin import require_page

LAST_ITEM = "create_last_item_id"
LAST_RESULT = "create_last_result"
SERVICES_KEY = "herald_services"
SOURCE_MODES = {
    "demo:lumen": "Sample project (Lumen)",
    "demo:herald": "Herald's own code",
    "path": "Local folder",
    "url": "Repository URL",
    "upload": "Upload files",
}


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


services = st.session_state.get(SERVICES_KEY) or get_services()
user = require_page("post.create", services)
settings = services.settings

st.title("Create a post")
st.caption("Point Herald at a project; it writes a LinkedIn post from the project's own files.")

# --- 1. Source --------------------------------------------------------------
st.subheader("Source")
demo_cols = st.columns(len(DEMO_SOURCES) + 1)
demo_clicked = None
for col, demo in zip(demo_cols, DEMO_SOURCES.values(), strict=False):
    if col.button(f"Try: {demo.label}", key=f"demo-{demo.key}", help=str(demo.path)):
        demo_clicked = demo.key
mode = st.radio(
    "Or choose a source", list(SOURCE_MODES), format_func=SOURCE_MODES.get, horizontal=True, key="source_mode"
)
source: SourceInput | None = None
if mode.startswith("demo:"):
    source = SourceInput("demo", mode.split(":", 1)[1])
elif mode == "path":
    path = st.text_input("Folder or git checkout", placeholder="/home/me/code/my-project", key="source_path")
    source = SourceInput("path", path)
elif mode == "url":
    url = st.text_input("GitHub or GitLab URL", placeholder="https://github.com/owner/repo", key="source_url")
    source = SourceInput("url", url)
else:
    uploads = st.file_uploader(
        "README, docs, notebooks or a .zip of a repository",
        type=["md", "markdown", "rst", "txt", "ipynb", "zip"],
        accept_multiple_files=True,
        key="source_upload",
    )
    source = SourceInput("upload", files=tuple((f.name, f.getvalue()) for f in uploads or []))

# --- 2. Brief ---------------------------------------------------------------
st.subheader("Brief")
c1, c2, c3, c4 = st.columns(4)
style = c1.selectbox("Style", STYLES, format_func=_label, key="brief_style")
tone = c2.selectbox("Tone", TONES, format_func=_label, key="brief_tone")
audience = c3.selectbox("Audience", AUDIENCES, format_func=_label, key="brief_audience")
length = c4.radio("Length", BRIEF_LENGTHS, index=0, format_func=_label, horizontal=True, key="brief_length")
topic = st.text_input("Topic (optional)", placeholder="e.g. the new link checker", key="brief_topic")
brief = Brief(style=style, tone=tone, audience=audience, length=length, topic=topic)

# --- 3. Generate ------------------------------------------------------------
if demo_clicked:
    source = SourceInput("demo", demo_clicked)
if st.button("Generate", type="primary", key="generate") or demo_clicked:
    with st.status("Generating…", expanded=True) as status:

        def _progress(label: str, fraction: float) -> None:
            status.update(label=f"{label}…")
            if fraction < 1:
                st.write(f"{label}…")

        live = LiveDraft()  # a model that streams shows its text here as it writes
        try:
            result = generate_post(source, brief, services, progress=_progress, on_token=live, by=user)
        except HeraldError as exc:
            live.flush()
            status.update(label="Could not generate a post", state="error", expanded=True)
            st.error(str(exc))
        else:
            live.flush()
            total_s = sum(result.timings.values()) / 1000
            status.update(label=f"Draft ready in {total_s:.1f} s", state="complete", expanded=False)
            st.session_state[LAST_ITEM] = result.item_id
            st.session_state[LAST_RESULT] = result

item_id = st.session_state.get(LAST_ITEM)
if item_id is None:
    st.info("Pick a source and press Generate, or try a demo.")
    st.stop()
try:
    view = load_post(services, int(item_id))
except HeraldError as exc:
    st.error(str(exc))
    st.stop()
last_result = st.session_state.get(LAST_RESULT)
if last_result is not None and last_result.item_id != view.item.id:
    last_result = None

# --- 4. Draft ---------------------------------------------------------------
st.subheader(f"Draft · item {view.item.id} · {view.item.status.replace('_', ' ')}")
if view.item.status == "sent_back" and (sent := review_history(services.store, view.item.id)):
    st.warning(
        f"Sent back by {sent[-1].reviewer}: {sent[-1].note} — refine it below and it goes back to review."
    )
render_draft(view, settings.linkedin_max_chars)
render_engagement(services, view)
render_moderation(latest_moderation(services.store, view.item.id))

# --- 5. The project card and the passages it was written from ---------------
if last_result is not None and (edit := render_card(last_result.card)) is not None:
    with st.spinner("Writing again from the corrected card…"):
        try:
            again = generate_post(last_result.source, view.brief, services, card_edit=edit)
        except HeraldError as exc:
            st.error(str(exc))
        else:
            st.session_state[LAST_ITEM] = again.item_id
            st.session_state[LAST_RESULT] = again
            st.rerun()
st.subheader("Written from")
render_passages(view)
if last_result is not None and last_result.notes:
    with st.expander(f"Notes about the source ({len(last_result.notes)})"):
        for note in last_result.notes:
            st.caption(note)

# --- 6. Claim check (guard) -----------------------------------------------------
render_guard_report(
    guard_report_for(services.store, view.version.id), min_confidence=settings.guard_min_confidence
)

# --- 7. Strategy (agent) -------------------------------------------------------
render_agent_panel(services, view.item.id, view.version.id)

# --- 8. Refine, rate, export -------------------------------------------------
st.subheader("Refine, rate, export")
if render_refine(services, view):
    st.rerun()
render_rating(services, view)
st.markdown("**Download**")
render_exports(services, view)
