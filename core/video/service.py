"""The video studio's one entry point: renders, background jobs, and (re-exported) items and ratings.

A video is an item of kind "video" whose versions carry the script (text) and
the storyboard (data["storyboard"]; see `core/video/items.py`).
`render_item_video` renders an item, a script or a storyboard to MP4/SRT/PNG
and registers the files in the `videos` table only after the MP4 is in place.
`submit_render` runs the same in the background as a job of kind "video"
(`run_render_job`, registered in `core.jobs`), in-process or on a Celery worker.
Rating and improved storyboards live in `core/video/ratings.py` and are
re-exported here, so pages and the CLI import only this module. It draws and
encodes nothing itself.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.auth import User, acting, record_audit, require
from core.errors import InvalidInputError
from core.jobs import JobContext, Queue, job_queue
from core.services import Services
from core.store import Version
from core.video import Storyboard, VideoOptions, produce_video
from core.video.items import (
    VideoDraft,
    board_of_version,
    prepare_video,
    save_storyboard,
    storyboard_of,
)
from core.video.ratings import (
    PendingImprovement,
    RatingOutcome,
    accept_improvement,
    dismiss_improvement,
    pending_improvement,
    rate_video,
)
from utils.events import utc_now_iso

__all__ = [
    "VideoDraft",
    "VideoResult",
    "RatingOutcome",
    "PendingImprovement",
    "prepare_video",
    "storyboard_of",
    "save_storyboard",
    "render_item_video",
    "job_queue",
    "run_render_job",
    "submit_render",
    "render_result",
    "list_videos",
    "rate_video",
    "pending_improvement",
    "accept_improvement",
    "dismiss_improvement",
]

LOG = logging.getLogger(__name__)
JOB_KIND = "video"


@dataclass(frozen=True)
class VideoResult:
    """A rendered video: its files, size, timing and notes for the creator."""

    mp4: str
    srt: str
    thumbnail: str
    duration_s: float
    width: int
    height: int
    render_s: float
    notes: tuple[str, ...] = ()
    video_id: int | None = None
    item_id: int | None = None
    version_id: int | None = None
    aspect: str = "16:9"

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON (CLI output, job results)."""
        return {
            "mp4": self.mp4,
            "srt": self.srt,
            "thumbnail": self.thumbnail,
            "duration_s": self.duration_s,
            "width": self.width,
            "height": self.height,
            "render_s": self.render_s,
            "notes": list(self.notes),
            "video_id": self.video_id,
            "item_id": self.item_id,
            "version_id": self.version_id,
            "aspect": self.aspect,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoResult:
        """Rebuild from `to_dict` output."""
        return cls(**{**data, "notes": tuple(data.get("notes") or ())})


# --- rendering ---------------------------------------------------------------
def _resolve(
    services: Services, source: int | str | Storyboard, aspect: str, title: str, *, by: User | None = None
) -> tuple[int, Version]:
    store = services.store
    if isinstance(source, Storyboard):
        draft = prepare_video(services, storyboard=source, by=by)
    elif isinstance(source, str):
        draft = prepare_video(services, script=source, title=title, aspect=aspect, by=by)
    elif isinstance(source, int):
        item = store.get_item(source)
        if item.kind != "video":
            draft = prepare_video(services, post_item_id=item.id, title=title, aspect=aspect, by=by)
        else:
            return item.id, store.latest_version(item.id)
    else:
        raise InvalidInputError("Give an item id, a script or a storyboard to render")
    return draft.item_id, store.get_version(draft.version_id)


def render_item_video(
    services: Services,
    source: int | str | Storyboard,
    options: VideoOptions = VideoOptions(),
    *,
    out_dir: Path | None = None,
    title: str = "",
    progress: Callable[[float, str], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    job_id: str | None = None,
    by: User | None = None,
) -> VideoResult:
    """Render an item, a script or a storyboard to MP4, SRT and PNG, and register the files."""
    from core.gate import export_permit

    user = require(acting(by), "video.render")
    item_id, _ = _resolve(services, source, options.aspect, title, by=by)
    require(user, "video.render", services.store.get_item(item_id))
    permit = export_permit(services.store, item_id)  # a render is an export: only what passed the gate
    version = permit.version
    board = board_of_version(services, version)
    notes = [permit.warning] if permit.warning else []
    folder = Path(out_dir) if out_dir else services.settings.data_dir / "videos" / f"item-{item_id}"
    stem = f"herald-{item_id}-v{version.number}-{time.strftime('%Y%m%d-%H%M%S')}-{int(time.time() * 1000) % 1000:03d}"
    with services.events.step("video_render", item_id=item_id, aspect=options.aspect) as step:
        step.provider = "ffmpeg"
        made = produce_video(
            board, folder, stem, services.settings, options, progress=progress, should_cancel=should_cancel
        )
        step.scores["duration_s"] = made.duration_s
        step.scores["render_s"] = made.render_s
        step.scores["realtime_x"] = round(made.duration_s / max(made.render_s, 1e-6), 2)
    notes = [*notes, *made.notes]
    with services.store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO videos(item_id, version_id, job_id, mp4, srt, thumbnail, duration_s, width, height,"
            " aspect, render_s, notes_json, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                item_id,
                version.id,
                job_id,
                str(made.mp4),
                str(made.srt),
                str(made.thumbnail),
                made.duration_s,
                made.width,
                made.height,
                options.aspect,
                made.render_s,
                json.dumps(notes, ensure_ascii=False),
                utc_now_iso(),
            ),
        )
        video_id = int(cur.lastrowid or 0)
    return VideoResult(
        mp4=str(made.mp4),
        srt=str(made.srt),
        thumbnail=str(made.thumbnail),
        duration_s=made.duration_s,
        width=made.width,
        height=made.height,
        render_s=made.render_s,
        notes=tuple(notes),
        video_id=video_id,
        item_id=item_id,
        version_id=version.id,
        aspect=options.aspect,
    )


def list_videos(services: Services, item_id: int | None = None) -> list[VideoResult]:
    """Registered videos, newest first (of one item when given)."""
    sql, params = "SELECT * FROM videos", ()
    if item_id is not None:
        sql, params = sql + " WHERE item_id = ?", (item_id,)
    rows = services.store.query(sql + " ORDER BY id DESC", params)
    return [
        VideoResult(
            mp4=r["mp4"],
            srt=r["srt"],
            thumbnail=r["thumbnail"],
            duration_s=r["duration_s"],
            width=r["width"],
            height=r["height"],
            render_s=r["render_s"],
            notes=tuple(json.loads(r["notes_json"] or "[]")),
            video_id=r["id"],
            item_id=r["item_id"],
            version_id=r["version_id"],
            aspect=r["aspect"],
        )
        for r in rows
    ]


# --- background jobs ---------------------------------------------------------
def run_render_job(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """The "video" job kind: render a stored item (in the app's process or on a worker)."""
    result = render_item_video(
        ctx.services,
        int(payload["item_id"]),
        VideoOptions.from_dict(payload.get("options") or {}),
        out_dir=Path(payload["out_dir"]) if payload.get("out_dir") else None,
        progress=ctx.progress,
        should_cancel=ctx.cancelled,
        job_id=ctx.job_id,
    )
    return result.to_dict()


def submit_render(
    services: Services,
    source: int | str | Storyboard,
    options: VideoOptions = VideoOptions(),
    *,
    out_dir: Path | None = None,
    title: str = "",
    by: User | None = None,
) -> str:
    """Queue a render in the background and return the job id (poll `job_queue(s).status`)."""
    user = require(acting(by), "video.render")
    queue: Queue = job_queue(services)
    item_id, _ = _resolve(services, source, options.aspect, title, by=by)
    require(user, "video.render", services.store.get_item(item_id))
    payload = {"item_id": item_id, "options": options.to_dict(), "out_dir": str(out_dir) if out_dir else None}
    job_id = queue.submit(JOB_KIND, payload)  # committed first: a Celery worker must see the job row
    with services.store.transaction() as conn:
        record_audit(
            conn, user, "video.render", f"item {item_id}", {"job_id": job_id, "aspect": options.aspect}
        )
    return job_id


def render_result(services: Services, job_id: str) -> VideoResult:
    """The finished render of a job; raises JobNotFinishedError, JobFailedError or JobCancelledError."""
    return VideoResult.from_dict(job_queue(services).result(job_id))
