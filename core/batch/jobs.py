"""The `batch` job kind: one source of a batch -> one stored post (`core.posts.pipeline.generate_post`).

Payload: `source` (path, URL or `demo:KEY`), `style`, `tone`, `topic`,
`created_by`. Result: `item_id`, `version_id`, `status`. The handler reaches
the services through `ctx.services` (set by the queue) and builds them from
the environment when a worker runs it without one.
"""

from __future__ import annotations

from typing import Any

from core.batch.sources import DEMO_PREFIX

__all__ = ["run_batch_job", "JOB_KIND"]

JOB_KIND = "batch"


def _source_input(source: str) -> Any:
    from core.posts.pipeline import SourceInput

    if source.startswith(DEMO_PREFIX):
        return SourceInput("demo", source[len(DEMO_PREFIX) :])
    return source


def run_batch_job(payload: dict[str, Any], ctx: Any, services: Any = None) -> dict[str, Any]:
    """Write one post from one source; progress goes to the job, errors fail this job only."""
    from chains.types import Brief
    from core.posts.pipeline import generate_post

    services = services or getattr(ctx, "services", None)
    if services is None:
        from core.services import build_services
        from utils.settings import load_settings

        services = build_services(load_settings())
    brief = Brief(
        style=payload.get("style") or "announcement",
        tone=payload.get("tone") or "professional",
        topic=payload.get("topic") or "",
    )
    ctx.progress(0.0, "starting")
    result = generate_post(
        _source_input(str(payload["source"])),
        brief,
        services,
        progress=lambda label, fraction: ctx.progress(fraction, label),
        created_by=str(payload.get("created_by") or "batch"),
    )
    return {"item_id": result.item_id, "version_id": result.version_id, "status": result.status}
