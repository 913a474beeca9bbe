"""Render a stored post (`core.posts.pipeline.PostView`): draft, fold preview, passages, exports, rating, refine.

Each helper draws one block and, for the interactive ones, calls one core
function (`build_export`/`record_export`, `rate_version`, `refine_post`),
turning `HeraldError`s into `st.error`. No SQL, prompts or SDK calls here.
"""

from __future__ import annotations

import re
import time
from typing import Any

import streamlit as st

from core.engagement import Estimate, estimate_for_store
from core.errors import HeraldError
from core.posts.pipeline import PostView, build_export, rate_version, record_export, refine_post
from core.services import Services
from pages.components.signin import page_user
from utils.export import EXPORT_FORMATS

__all__ = [
    "LiveDraft",
    "render_draft",
    "render_engagement",
    "render_passages",
    "render_exports",
    "render_rating",
    "render_refine",
]

EXPORT_LABELS = {
    "linkedin": "LinkedIn text",
    "markdown": "Markdown",
    "notion": "Notion",
    "buffer": "Buffer CSV",
    "csv": "CSV",
}
STAR_LABELS = {1: "★", 2: "★★", 3: "★★★", 4: "★★★★", 5: "★★★★★"}


class LiveDraft:
    """A token sink for `generate_post(on_token=...)`: shows a model's text as it is written.

    Updates one `st.empty()` slot at most every `interval_s` (each update is a message to the
    browser); `restart(provider)` clears it when the chain moves on to another provider, and
    `flush()` draws the last pieces. The checked post is rendered separately once stored.
    """

    def __init__(self, container: Any = None, interval_s: float = 0.08):
        self._slot = (container or st).empty()
        self._interval_s = interval_s
        self._last = 0.0
        self.text = ""
        self.provider = ""
        self.pieces = 0

    def restart(self, provider: str) -> None:
        """A new streaming attempt by `provider` starts: forget the previous attempt's text."""
        self.provider, self.text, self.pieces = provider, "", 0
        self._slot.empty()

    def __call__(self, piece: str) -> None:
        self.text += piece
        self.pieces += 1
        now = time.monotonic()
        if now - self._last >= self._interval_s:
            self._last = now
            self._draw()

    def flush(self) -> None:
        """Draw everything received so far (call once generation has finished)."""
        if self.text:
            self._draw()

    def _draw(self) -> None:
        with self._slot.container():
            st.caption(f"Live draft from {self.provider or 'the model'} (as written, before the checks)")
            st.text(self.text)


def render_draft(view: PostView, max_chars: int = 3000) -> None:
    """The post with its character count, fold preview, hashtags, caption, quality and provider."""
    count = view.char_count
    cols = st.columns(4)
    cols[0].metric("Characters", f"{count:,} / {max_chars:,}")
    cols[1].metric("Quality", "—" if view.quality is None else f"{view.quality:.0f} / 100")
    cols[2].metric("Provider", view.provider or "—")
    cols[3].metric("Version", f"{view.version.number} of {view.version_count}")
    if count > max_chars:
        st.warning(f"The post is {count - max_chars} characters over LinkedIn's limit; refine it shorter.")
    before, after = view.fold
    st.markdown("**Feed preview** (what shows before *…see more*)")
    with st.container(border=True):
        st.text(before + ("…see more" if after.strip() else ""))
    st.caption(f"{count:,} of {max_chars:,} characters · the fold falls after character {len(before):,}")
    st.markdown("**Full post**")
    st.code(view.text, language=None, wrap_lines=True)
    if view.hashtags:
        st.markdown("**Hashtags** " + " ".join(f"`{t}`" for t in view.hashtags))
    if view.caption:
        st.markdown(f"**Caption** {view.caption}")
    if view.quality_parts:
        with st.expander("Quality parts, and why"):
            st.dataframe(
                [
                    {
                        "part": k.replace("_", " "),
                        "score": round(v, 2),
                        "why": view.quality_reasons.get(k, ""),
                    }
                    for k, v in view.quality_parts.items()
                ],
                hide_index=True,
            )
    if view.attempts:
        with st.expander(f"Provider attempts ({len(view.attempts)})"):
            st.table(
                [
                    {
                        "provider": a.provider,
                        "model": a.model,
                        "ok": "yes" if a.ok else "no",
                        "latency ms": round(a.latency_ms),
                        "error": a.error,
                    }
                    for a in view.attempts
                ]
            )
    for warning in view.warnings:
        st.caption(f"⚠ {warning}")


def render_engagement(services: Services, view: PostView) -> Estimate | None:
    """The engagement estimate: a star band, its main drivers, and whether it is the prior or fitted."""
    try:
        est = estimate_for_store(
            services.store, view.text, hook=view.strategy.hook, fold_chars=services.settings.fold_chars
        )
    except HeraldError as exc:
        st.caption(f"Engagement estimate unavailable: {exc}")
        return None
    drivers = ", ".join(d.describe() for d in est.drivers) or "none stand out"
    st.markdown(
        f"**Engagement estimate** {est.stars:.1f} ★ ({est.band}; 80% band {est.low:.1f}–{est.high:.1f}) · "
        f"drivers: {drivers}"
    )
    st.caption(est.label)
    return est


def _plain(text: str) -> str:
    """Escape Markdown so a cell shows as written (st.table renders Markdown in cells)."""
    text = re.sub(r"([\\`*_{}\[\]#|<>~])", r"\\\1", text)
    return re.sub(
        r"^(\d+)\.|^([-+])", lambda m: f"{m.group(1)}\\." if m.group(1) else f"\\{m.group(2)}", text
    )


def render_passages(view: PostView) -> None:
    """The passages the post was written from: path, kind, score, lines."""
    if not view.passages:
        st.caption("No passages recorded for this version.")
        return
    # A plain HTML table: a handful of rows, readable by screen readers and browser tests.
    st.table(
        [
            {
                "path": _plain(p.path),
                "kind": p.kind,
                "score": f"{p.score:.3f}",
                "lines": f"{p.start_line}-{p.end_line}" if p.start_line else "",
                "excerpt": _plain(" ".join(p.text.split())[:120]),
            }
            for p in view.passages
        ]
    )


def render_exports(services: Services, view: PostView, *, key: str = "export") -> None:
    """A download button for every export format (refused items show why instead, flagged ones a warning)."""
    try:
        results = {fmt: build_export(services, view.item.id, fmt, by=page_user()) for fmt in EXPORT_FORMATS}
    except HeraldError as exc:
        st.info(str(exc))
        return
    for warning in next(iter(results.values())).warnings:
        st.warning(warning)
    cols = st.columns(len(EXPORT_FORMATS))
    for col, fmt in zip(cols, EXPORT_FORMATS, strict=True):
        result = results[fmt]
        col.download_button(
            EXPORT_LABELS.get(fmt, fmt),
            data=result.content,
            file_name=result.filename,
            mime=result.mime,
            key=f"{key}-{fmt}-{view.version.id}",
            on_click=record_export,
            args=(services, view.item.id, fmt),
            kwargs={"version_id": view.version.id, "warning": " ".join(result.warnings)},
            width="stretch",
        )


def render_rating(services: Services, view: PostView, *, key: str = "rate") -> None:
    """A 1-5 star rating with an optional comment, stored with this version."""
    for rating in view.ratings:
        st.caption(f"Rated {STAR_LABELS.get(rating.stars or 0, '')} by {rating.user}: {rating.comment}")
    with st.form(f"{key}-{view.version.id}", clear_on_submit=True):
        stars = st.radio(
            "Your rating", list(STAR_LABELS), index=3, format_func=STAR_LABELS.get, horizontal=True
        )
        comment = st.text_input("Comment (optional)", max_chars=2000)
        if st.form_submit_button("Save rating"):
            try:
                rate_version(services, view.item.id, view.version.id, int(stars), comment, by=page_user())
            except HeraldError as exc:
                st.error(str(exc))
            else:
                st.success(f"Saved {STAR_LABELS[int(stars)]} for version {view.version.number}.")


def render_refine(services: Services, view: PostView, *, key: str = "refine") -> bool:
    """An instruction box that writes a new version; returns True when one was made."""
    with st.form(f"{key}-{view.version.id}"):
        instruction = st.text_input(
            "Refine", placeholder="e.g. shorter, friendlier, end with a question", max_chars=1000
        )
        if not st.form_submit_button("Refine"):
            return False
    try:
        with st.spinner("Rewriting…"):
            gated = refine_post(
                services, view.item.id, instruction, user=st.session_state.get("user", ""), by=page_user()
            )
    except HeraldError as exc:
        st.error(str(exc))
        return False
    st.success(
        f"Saved as version {gated.proposed.number} and checked again: the item is now "
        f"{gated.status.replace('_', ' ')}. Earlier versions are kept."
    )
    return True
