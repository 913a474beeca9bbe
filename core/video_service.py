"""The video studio's entry points: storyboard items, renders, jobs, ratings, improvements.

A video is an item of kind "video" whose versions carry the script (text) and
the storyboard (data["storyboard"]). `render_item_video` renders an item, a
script or a storyboard to MP4/SRT/PNG and registers the files in the `videos`
table only after the MP4 is in place. `submit_render` runs the same in the
background through `core.jobs.JobQueue`. `rate_video` stores a rating and, at
or below the threshold, asks the writing chain for an improved storyboard that
waits as a pending version until the creator accepts or dismisses it.
Pages and the CLI call these; this module draws and encodes nothing itself.
"""

from __future__ import annotations

import difflib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import InvalidInputError, NotFoundError
from core.jobs import JobContext, JobQueue
from core.services import Services
from core.store import Version
from core.video import Storyboard, VideoOptions, produce_video, storyboard_from_text
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
class VideoDraft:
    """A video item ready to edit and render."""

    item_id: int
    version_id: int
    storyboard: Storyboard
    script: str


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


@dataclass(frozen=True)
class PendingImprovement:
    """An improved storyboard waiting for the creator, with a line diff against the current one."""

    version_id: int
    item_id: int
    storyboard: Storyboard
    diff: str
    provider: str


@dataclass(frozen=True)
class RatingOutcome:
    """A stored rating and, when it was low, the improvement it produced (or why none)."""

    rating_id: int
    stars: int
    improvement: PendingImprovement | None
    notes: tuple[str, ...] = ()


# --- storyboards as item versions -------------------------------------------
def _script_of(board: Storyboard) -> str:
    return "\n".join(board.lines())


def prepare_video(
    services: Services,
    *,
    script: str | None = None,
    post_item_id: int | None = None,
    storyboard: Storyboard | None = None,
    title: str = "",
    aspect: str = "16:9",
    created_by: str = "creator",
) -> VideoDraft:
    """Create a video item from a script, a post item or a storyboard (first version holds it)."""
    store, settings = services.store, services.settings
    if storyboard is None:
        if post_item_id is not None:
            post = store.get_item(post_item_id)
            script = store.latest_version(post_item_id).text
            title = title or post.title
        storyboard = storyboard_from_text(script or "", settings, title=title, aspect=aspect)
    script = _script_of(storyboard)
    data = {"storyboard": storyboard.to_dict(), "from_item": post_item_id}
    item, version = store.create_item(
        script, kind="video", title=storyboard.title, data=data, created_by=created_by
    )
    return VideoDraft(item.id, version.id, storyboard, script)


def _board_of_version(services: Services, version: Version) -> Storyboard:
    raw = version.data.get("storyboard")
    if raw:
        return Storyboard.from_dict(raw)
    item = services.store.get_item(version.item_id)
    return storyboard_from_text(version.text, services.settings, title=item.title)


def storyboard_of(services: Services, item_id: int) -> Storyboard:
    """The storyboard of a video item's newest active version."""
    return _board_of_version(services, services.store.latest_version(item_id))


def save_storyboard(services: Services, item_id: int, board: Storyboard, *, origin: str = "edit") -> Version:
    """Store an edited storyboard as a new version (returns the current one when unchanged)."""
    current = services.store.latest_version(item_id)
    if _board_of_version(services, current) == board:
        return current
    return services.store.add_version(
        item_id, _script_of(board), origin=origin, data={"storyboard": board.to_dict()}, parent_id=current.id
    )


# --- rendering ---------------------------------------------------------------
def _moderate(services: Services, text: str) -> list[str]:
    """Moderate a script when the moderation module is present; refuse a rejected one."""
    try:
        from core.moderation import moderate
    except ImportError:
        return []
    result = moderate(text, services.settings)
    level = getattr(result, "level", "")
    if level == "rejected":
        raise InvalidInputError("Moderation rejected this script; edit it and render again")
    return [f"Moderation: {level}"] if level and level != "approved" else []


def _resolve(
    services: Services, source: int | str | Storyboard, aspect: str, title: str
) -> tuple[int, Version]:
    store = services.store
    if isinstance(source, Storyboard):
        draft = prepare_video(services, storyboard=source)
    elif isinstance(source, str):
        draft = prepare_video(services, script=source, title=title, aspect=aspect)
    elif isinstance(source, int):
        item = store.get_item(source)
        if item.kind != "video":
            draft = prepare_video(services, post_item_id=item.id, title=title, aspect=aspect)
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
) -> VideoResult:
    """Render an item, a script or a storyboard to MP4, SRT and PNG, and register the files."""
    item_id, version = _resolve(services, source, options.aspect, title)
    board = _board_of_version(services, version)
    notes = _moderate(services, _script_of(board))
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
def job_queue(services: Services) -> JobQueue:
    """The services' job queue (created on first use) with the video handler registered."""
    queue = services.extras.get("jobs")
    if queue is None:
        with services._lock:
            queue = services.extras.get("jobs")
            if queue is None:
                queue = JobQueue(
                    services.store, workers=services.settings.render_workers, events=services.events
                )
                services.extras["jobs"] = queue
    if JOB_KIND not in queue.handlers:
        queue.register(JOB_KIND, lambda payload, ctx: _video_job(services, payload, ctx))
    return queue


def _video_job(services: Services, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    result = render_item_video(
        services,
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
) -> str:
    """Queue a render in the background and return the job id (poll `job_queue(s).status`)."""
    item_id, _ = _resolve(services, source, options.aspect, title)
    payload = {"item_id": item_id, "options": options.to_dict(), "out_dir": str(out_dir) if out_dir else None}
    return job_queue(services).submit(JOB_KIND, payload)


def render_result(services: Services, job_id: str) -> VideoResult:
    """The finished render of a job; raises JobNotFinishedError, JobFailedError or JobCancelledError."""
    return VideoResult.from_dict(job_queue(services).result(job_id))


# --- ratings and improvements ------------------------------------------------
def _diff(old: Storyboard, new: Storyboard) -> str:
    return "\n".join(difflib.unified_diff(old.lines(), new.lines(), "current", "improved", lineterm="", n=1))


def _improve(services: Services, item_id: int, board: Storyboard, comment: str) -> tuple[list[str], str]:
    from chains.refine import improve_storyboard_lines
    from rag.types import Passage

    version = services.store.latest_version(item_id)
    grounding = version.text
    from_item = version.data.get("from_item") or services.store.versions(item_id)[0].data.get("from_item")
    if from_item:
        grounding += "\n" + services.store.latest_version(int(from_item)).text
    passages = [
        Passage(text=p, kind="docs", path="script", score=1.0) for p in grounding.splitlines() if p.strip()
    ]
    lines = improve_storyboard_lines(
        board.lines(), comment, passages, services.chain(), services.settings, item_id=item_id
    )
    return lines, "chain"


def rate_video(
    services: Services,
    item_id: int,
    stars: int,
    comment: str = "",
    *,
    user: str = "creator",
    version_id: int | None = None,
) -> RatingOutcome:
    """Store a rating; at or below the threshold, propose an improved storyboard as a pending version."""
    store, settings = services.store, services.settings
    item = store.get_item(item_id)
    if item.kind != "video":
        raise InvalidInputError(f"Item {item_id} is a {item.kind}, not a video; rate it on its own page")
    current = store.latest_version(item_id)
    rating = store.add_rating(
        item_id, version_id=version_id or current.id, stars=stars, comment=comment, user=user
    )
    services.events.emit("video_rating", item_id=item_id, scores={"stars": float(stars)})
    if stars > settings.video_rating_threshold:
        return RatingOutcome(rating.id, stars, None)
    board = _board_of_version(services, current)
    try:
        with services.events.step("video_improve", item_id=item_id) as step:
            lines, provider = _improve(services, item_id, board, comment)
            step.provider = provider
    except Exception as exc:  # a failed proposal must not lose the rating
        LOG.warning("no improved storyboard for item %s: %s", item_id, exc)
        return RatingOutcome(rating.id, stars, None, (f"No improved storyboard: {exc}",))
    improved = storyboard_from_text("\n".join(lines), settings, title=board.title, aspect=board.aspect)
    if improved.lines() == board.lines():
        return RatingOutcome(rating.id, stars, None, ("The writing chain proposed no change",))
    version = store.add_version(
        item_id,
        _script_of(improved),
        origin="improvement",
        state="pending",
        parent_id=current.id,
        provider=provider,
        data={"storyboard": improved.to_dict(), "rating_id": rating.id, "comment": comment},
    )
    return RatingOutcome(rating.id, stars, _pending(services, version, board))


def _pending(services: Services, version: Version, board: Storyboard | None = None) -> PendingImprovement:
    improved = Storyboard.from_dict(version.data["storyboard"])
    board = board or storyboard_of(services, version.item_id)
    return PendingImprovement(version.id, version.item_id, improved, _diff(board, improved), version.provider)


def pending_improvement(services: Services, item_id: int) -> PendingImprovement | None:
    """The newest improved storyboard still waiting for the creator, if any."""
    for version in reversed(services.store.versions(item_id)):
        if version.state == "pending" and version.origin == "improvement":
            return _pending(services, version)
    return None


def _pending_version(services: Services, version_id: int) -> Version:
    version = services.store.get_version(version_id)
    if version.state != "pending":
        raise NotFoundError(f"Version {version_id} is {version.state}, not pending; refresh the page")
    return version


def accept_improvement(services: Services, version_id: int) -> Storyboard:
    """Make a pending improved storyboard the current one; return it."""
    version = _pending_version(services, version_id)
    services.store.set_version_state(version.id, "active")
    return Storyboard.from_dict(version.data["storyboard"])


def dismiss_improvement(services: Services, version_id: int) -> None:
    """Dismiss a pending improved storyboard; the current one stays."""
    services.store.set_version_state(_pending_version(services, version_id).id, "dismissed")
