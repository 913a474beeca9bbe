"""Long API work as background jobs on the services' `JobQueue` (the one video renders use).

`submit_post` queues a post job that runs `generate_post` as the requesting
user and returns `views.post_summary`; renders go through
`core.video.service.submit_render`. Poll either with GET /jobs/{id}.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from core.auth import User
from core.errors import InvalidInputError
from core.jobs import JobContext, JobQueue
from core.services import Services

__all__ = ["POST_JOB", "queue_for", "submit_post"]

POST_JOB = "post"


def _post_job(services: Services, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    from api.views import post_summary
    from chains.types import Brief
    from core.posts.pipeline import SourceInput, generate_post

    source = payload["source"]
    files = tuple((f["name"], base64.b64decode(f["content_b64"])) for f in source.get("files", ()))
    spec = SourceInput(source["kind"], source.get("value", ""), files)
    user = User(**{**payload["user"], "roles": tuple(payload["user"]["roles"])})

    def progress(label: str, fraction: float) -> None:
        ctx.progress(fraction, label)

    result = generate_post(spec, Brief(**payload["brief"]), services, progress=progress, by=user)
    return post_summary(services, result.item_id)


def queue_for(services: Services) -> JobQueue:
    """The services' job queue with the post and video handlers registered."""
    from core.video.service import job_queue

    queue = job_queue(services)
    if POST_JOB not in queue.handlers:
        queue.register(POST_JOB, lambda payload, ctx: _post_job(services, payload, ctx))
    return queue


def submit_post(services: Services, user: User, source: dict[str, Any], brief: dict[str, Any]) -> str:
    """Queue one post for `user`; returns the job id (uploads must be valid base64)."""
    for f in source.get("files", ()):
        try:
            base64.b64decode(f["content_b64"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InvalidInputError(
                f"files[].content_b64 of {f['name']!r} is not base64: encode the file bytes"
            ) from exc
    payload = {
        "user": {"name": user.name, "roles": list(user.roles), "kind": user.kind},
        "source": source,
        "brief": brief,
    }
    return queue_for(services).submit(POST_JOB, payload)
