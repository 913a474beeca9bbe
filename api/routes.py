"""The API's endpoints: each checks `core.auth.require`, calls one core function, returns JSON.

Long work (POST /posts, POST /videos) returns 202 with a job id; poll
GET /jobs/{id}. Mutations are recorded in the audit trail with the token's user.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.app import current_user, services_of
from api.views import item_detail, item_json, plain, version_json
from core.auth import User, require

__all__ = ["router"]

router = APIRouter()


class UploadFile(BaseModel):
    """One uploaded file of a project, base64-encoded."""

    name: str = Field(max_length=300)
    content_b64: str


class SourceIn(BaseModel):
    """Where the project comes from: a repository URL, a folder under HERALD_SOURCE_ROOTS, a demo, or files."""

    kind: Literal["url", "path", "demo", "upload"] = "url"
    value: str = Field(default="", max_length=2000)
    files: list[UploadFile] = Field(default_factory=list, max_length=2000)


class BriefIn(BaseModel):
    """The brief: style, tone, audience, length and an optional topic."""

    style: str = "announcement"
    tone: str = "professional"
    audience: str = "developers"
    length: str = "medium"
    topic: str = Field(default="", max_length=300)


class PostIn(BaseModel):
    """POST /posts: a source and a brief."""

    source: SourceIn
    brief: BriefIn = Field(default_factory=BriefIn)


class RefineIn(BaseModel):
    """How to refine the post."""

    instruction: str = Field(min_length=1, max_length=1000)


class RatingIn(BaseModel):
    """A 1-5 star rating of a version (default: the current one)."""

    stars: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=5000)
    version_id: int | None = None


class ReviewIn(BaseModel):
    """A reviewer's note (required to reject) and, for edit, the corrected text."""

    note: str = Field(default="", max_length=5000)
    text: str | None = Field(default=None, max_length=20000)


class VideoIn(BaseModel):
    """Render an item's video in the background."""

    item_id: int
    aspect: Literal["16:9", "9:16"] = "16:9"
    burn_captions: bool = False
    voice: bool = False


@router.get("/health", tags=["meta"])
def health() -> dict[str, str]:
    """Liveness: no token needed."""
    return {"status": "ok"}


@router.post("/posts", status_code=202, tags=["posts"])
def create_post(body: PostIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Queue a post from a source and a brief; poll GET /jobs/{job_id} for the item."""
    from api.jobs import submit_post

    require(user, "post.create")
    services = services_of(request)
    job_id = submit_post(services, user, body.source.model_dump(), body.brief.model_dump())
    return {"job_id": job_id, "status_url": f"/jobs/{job_id}"}


@router.get("/items", tags=["items"])
def list_items(
    request: Request,
    user: User = Depends(current_user),
    status: str | None = None,
    kind: str | None = None,
    limit: int = Query(default=100, ge=1, le=500),
) -> dict[str, Any]:
    """Items, newest first."""
    require(user, "item.read")
    items = services_of(request).store.list_items(status=status, kind=kind, limit=limit)
    return {"items": [item_json(i) for i in items]}


@router.get("/items/{item_id}", tags=["items"])
def get_item(item_id: int, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """An item with its versions, the current version's claims and its moderation."""
    require(user, "item.read")
    return item_detail(services_of(request), item_id)


@router.post("/items/{item_id}/refine", tags=["items"])
def refine(
    item_id: int, body: RefineIn, request: Request, user: User = Depends(current_user)
) -> dict[str, Any]:
    """Rewrite the current version as instructed: a new version."""
    from core.posts.refine import refine_post

    services = services_of(request)
    require(user, "post.refine", services.store.get_item(item_id))
    result = refine_post(services, item_id, body.instruction, user=user.name, by=user)
    return {
        "version": version_json(result.current),
        "status": result.status,
        "reasons": list(result.reasons),
        "guard_confidence": None if result.guard is None else round(float(result.guard.confidence), 4),
        "moderation_level": None if result.moderation is None else result.moderation.level,
    }


@router.post("/items/{item_id}/ratings", status_code=201, tags=["items"])
def rate(
    item_id: int, body: RatingIn, request: Request, user: User = Depends(current_user)
) -> dict[str, Any]:
    """Rate a version 1-5 stars (the current one by default)."""
    from core.posts.refine import rate_version

    services = services_of(request)
    require(user, "post.rate", services.store.get_item(item_id))
    version_id = body.version_id or services.store.latest_version(item_id).id
    rating = rate_version(services, item_id, version_id, body.stars, body.comment, user=user.name, by=user)
    return {"rating": plain(rating)}


@router.get("/items/{item_id}/export", tags=["items"])
def export(
    item_id: int,
    request: Request,
    format: str = Query(default="linkedin", description="linkedin, markdown, notion, buffer or csv"),
    user: User = Depends(current_user),
) -> Response:
    """The export file of an item (refused, 409, unless the item may be exported)."""
    from core.posts.export import export_item

    services = services_of(request)
    require(user, "post.export", services.store.get_item(item_id))
    result = export_item(services, item_id, format, by=user)
    return Response(
        result.content,
        media_type=result.mime,
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )


@router.get("/review", tags=["review"])
def review_queue(
    request: Request, user: User = Depends(current_user), reason: str | None = None
) -> dict[str, Any]:
    """The review queue: held items with their reasons and waiting time."""
    from core.review import list_queue

    require(user, "review.view")
    queue = list_queue(services_of(request).store, reason=reason)
    return {
        "counts": queue.counts,
        "oldest_wait_s": queue.oldest_wait_s,
        "items": [
            {
                "item_id": q.item_id,
                "title": q.title,
                "status": q.status,
                "reasons": list(q.reason_codes),
                "waiting_s": round(q.waiting_s, 1),
                "text": q.text,
            }
            for q in queue.items
        ],
    }


@router.post("/review/{item_id}/{action}", tags=["review"])
def review_action(
    item_id: int,
    action: Literal["approve", "reject", "send-back", "edit"],
    request: Request,
    body: ReviewIn | None = None,
    user: User = Depends(current_user),
) -> dict[str, Any]:
    """Approve, reject (note required), send back, or edit (text required) a held item."""
    from core import review
    from core.errors import InvalidInputError

    services = services_of(request)
    store, body = services.store, body or ReviewIn()
    require(user, "review.act", store.get_item(item_id))
    if action == "edit":
        if body.text is None:
            raise InvalidInputError("edit needs the corrected post in 'text'")
        result = review.edit_and_approve(services, item_id, user.name, body.text, body.note, by=user)
    else:
        act = {"approve": review.approve, "reject": review.reject, "send-back": review.send_back}[action]
        result = act(store, item_id, user.name, body.note, events=services.events, by=user)
    return {"item": item_json(result.item), "action": plain(result.action)}


@router.post("/videos", status_code=202, tags=["videos"])
def render_video(body: VideoIn, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """Queue a render of an item's video; poll GET /jobs/{job_id}."""
    from api.jobs import queue_for
    from core.video.produce import VideoOptions
    from core.video.service import submit_render

    services = services_of(request)
    require(user, "video.render", services.store.get_item(body.item_id))
    queue_for(services)
    options = VideoOptions(aspect=body.aspect, burn_captions=body.burn_captions, voice=body.voice)
    job_id = submit_render(services, body.item_id, options, by=user)
    return {"job_id": job_id, "status_url": f"/jobs/{job_id}"}


@router.get("/jobs/{job_id}", tags=["jobs"])
def job_status(job_id: str, request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """A job's state and progress, and its result once done."""
    from api.jobs import queue_for
    from core.errors import NotFoundError

    require(user, "item.read")
    services = services_of(request)
    queue = queue_for(services)
    status = queue.status(job_id)
    rows = services.store.query("SELECT payload_json FROM jobs WHERE id = ?", (job_id,))
    owner = json.loads(rows[0]["payload_json"] or "{}").get("user", {}).get("name") if rows else None
    if (
        owner and owner != user.name and "admin" not in user.roles
    ):  # another user's post job: not yours to read
        raise NotFoundError(f"No job {job_id!r}; use the job id POST /posts returned to you")
    out: dict[str, Any] = plain(status)
    if status.state == "done":
        out["result"] = queue.result(job_id)
    return out


@router.get("/metrics", tags=["metrics"])
def metrics(request: Request, user: User = Depends(current_user)) -> dict[str, Any]:
    """The dashboard's aggregates, drift tests and alerts (as `python -m core metrics --json`)."""
    from core.commands.metrics import dashboard_json
    from core.dashboard import DashboardQuery, build_dashboard

    require(user, "metrics.view")
    return dashboard_json(build_dashboard(services_of(request), DashboardQuery()))
