"""Built-in job kinds that live nowhere else: diagnostics, re-indexing and agent training.

Renders are `core.video.service.run_render_job`; batches belong to the batch
module. Each handler takes `(payload, ctx)` and returns JSON-able values.
"""

from __future__ import annotations

import time
from dataclasses import asdict, is_dataclass
from typing import Any

from core.errors import InvalidInputError
from core.jobs.errors import JobCancelledError
from core.jobs.model import JobContext

__all__ = ["noop_job", "sleep_job", "reindex_job", "agent_train_job", "train_agent"]


def noop_job(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Return the payload (for benchmarks and health checks)."""
    return dict(payload)


def sleep_job(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Sleep `seconds` in small steps, reporting progress and honouring cancel (diagnostics, tests).

    With `marker` set, appends one line to that file per start, so a test can count attempts.
    """
    seconds = float(payload.get("seconds", 1.0))
    if payload.get("marker"):
        with open(payload["marker"], "a", encoding="utf-8") as fh:
            fh.write(f"{ctx.job_id}\n")
    if payload.get("fail"):
        raise InvalidInputError(str(payload["fail"]))
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        if ctx.cancelled():
            raise JobCancelledError(f"Job {ctx.job_id} was cancelled")
        ctx.progress(elapsed / seconds, f"slept {elapsed:.1f} of {seconds:.1f} s")
        time.sleep(min(0.05, seconds))
    return {"slept_s": round(time.monotonic() - started, 3), "value": payload.get("value")}


def reindex_job(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Load a source (`source`: path or URL) and (re)build its index; `force` skips the cache."""
    from rag.index import build_index
    from rag.sources import load_source

    services = ctx.services
    if services is None or not payload.get("source"):
        raise InvalidInputError("A reindex job needs a 'source' (a path or URL)")
    ctx.progress(0.0, "loading the source")
    source = load_source(payload["source"], services.settings)

    def progress(done: int, total: int) -> None:
        if ctx.cancelled():
            raise JobCancelledError(f"Job {ctx.job_id} was cancelled")
        ctx.progress(done / max(total, 1), f"embedded {done} of {total} chunks")

    index = build_index(
        source, services.embedder(), services.settings, progress=progress, use_cache=not payload.get("force")
    )
    return {"key": index.key, "chunks": len(index.chunks), "name": index.name, "folder": str(index.folder)}


def agent_train_job(payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Rebuild the strategy agent's Q-table from every stored transition."""
    from core.agent import agent_for

    ctx.progress(0.0, "replaying stored transitions")
    report = agent_for(ctx.services).train_now()
    return asdict(report) if is_dataclass(report) else {"report": str(report)}


def train_agent(services: Any, *, timeout: float = 120.0) -> dict[str, Any]:
    """Retrain the agent as a job (in-process or on a worker) and return its report as a dict."""
    from core.jobs import job_queue

    queue = job_queue(services)
    return queue.result(queue.submit("agent_train", {}), timeout=timeout)
