"""Long API work as background jobs on the services' `JobQueue` (the one video renders use).

`submit_post` queues a "post" job (registered with `core.jobs.register_job_kind`)
that runs `generate_post` as the requesting user and returns `views.post_summary`;
renders go through `core.video.service.submit_render`. Poll either with GET /jobs/{id}.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from core.auth import User
from core.errors import InvalidInputError
from core.jobs import JobContext, Queue, job_queue, register_job_kind
from core.services import Services

__all__ = ["POST_JOB", "queue_for", "run_post_job", "submit_post"]

POST_JOB = "post"


def run_post_job(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """The "post" job kind: `generate_post` as the requesting user, then `views.post_summary`."""
    from api.views import post_summary
    from chains.types import Brief
    from core.posts.pipeline import SourceInput, generate_post

    services = ctx.services
    source = payload["source"]
    files = tuple((f["name"], base64.b64decode(f["content_b64"])) for f in source.get("files", ()))
    spec = SourceInput(source["kind"], source.get("value", ""), files)
    user = User(**{**payload["user"], "roles": tuple(payload["user"]["roles"])})

    def progress(label: str, fraction: float) -> None:
        ctx.progress(fraction, label)

    result = generate_post(spec, Brief(**payload["brief"]), services, progress=progress, by=user)
    return post_summary(services, result.item_id)


# A module path, so a Celery worker (python -m core worker) can import it too.
register_job_kind(POST_JOB, "api.jobs:run_post_job")


def queue_for(services: Services) -> Queue:
    """The services' job queue (in-process or Celery, as configured); the post kind is registered."""
    return job_queue(services)


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
