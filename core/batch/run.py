"""Running a batch: one job per valid source on the configured queue, then one row per source.

`submit_batch` queues the jobs (refused rows are not submitted), `collect_batch`
waits for them (or reads where they are) and turns each into a `BatchRow`:
`done` (a post was written), `failed` (its job's error), `refused` (bad input),
`cancelled`, or still `queued`/`running`. One failing source never stops the
others: each is its own job. The export gate and posting times are applied by
`core.batch.export`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.batch.jobs import JOB_KIND, run_batch_job
from core.batch.sources import SourceList, SourceSpec

__all__ = ["Batch", "BatchRow", "batch_queue", "submit_batch", "collect_batch", "run_batch", "JSON_KEYS"]

JSON_KEYS = ("source", "item_id", "status", "error", "job_id", "posting_time")
FINISHED = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class BatchRow:
    """Where one source of a batch ended up."""

    source: str
    status: str  # done | held | failed | refused | cancelled | queued | running
    item_id: int | None = None
    error: str = ""
    job_id: str = ""
    posting_time: str = ""
    line: int = 0
    progress: float = 0.0
    message: str = ""
    title: str = ""
    engagement: str = ""
    warning: str = ""  # exported with a warning (a flagged item: read it once more)

    def to_json(self) -> dict[str, Any]:
        """The row as `batch --json` prints it: exactly `JSON_KEYS`."""
        return {k: getattr(self, k) for k in JSON_KEYS}


@dataclass(frozen=True)
class Batch:
    """A submitted batch: the queue backend, every row read and its job id ('' when refused)."""

    backend: str
    specs: tuple[SourceSpec, ...]
    job_ids: tuple[str, ...]
    messages: tuple[str, ...] = ()


def batch_queue(services: Any) -> tuple[Any, str]:
    """(the services' job queue, its backend name); the `batch` kind is registered on it."""
    try:
        from core.jobs import job_queue  # the shared queue with kinds registered by name
    except ImportError:
        from core.video.service import job_queue  # older core.jobs: a queue with per-instance handlers

        queue = job_queue(services)
        if JOB_KIND not in queue.handlers:
            queue.register(JOB_KIND, lambda payload, ctx: run_batch_job(payload, ctx, services))
        return queue, "inprocess"
    queue = job_queue(services)
    return queue, str(getattr(queue, "backend", "inprocess"))


def submit_batch(services: Any, sources: SourceList, *, created_by: str = "batch") -> Batch:
    """Queue one `batch` job per valid row; refused rows get no job."""
    queue, backend = batch_queue(services)
    job_ids = []
    for spec in sources.rows:
        if spec.error:
            job_ids.append("")
            continue
        payload = {
            "source": spec.source,
            "style": spec.style,
            "tone": spec.tone,
            "topic": spec.topic,
            "created_by": created_by,
        }
        job_ids.append(queue.submit(JOB_KIND, payload))
    return Batch(backend, sources.rows, tuple(job_ids), sources.messages)


def _row(queue: Any, spec: SourceSpec, job_id: str) -> BatchRow:
    if not job_id:
        return BatchRow(spec.source, "refused", error=spec.error, line=spec.line)
    status = queue.status(job_id)
    base = BatchRow(
        spec.source,
        status.state,
        job_id=job_id,
        line=spec.line,
        progress=float(status.progress),
        message=status.message,
        error=status.error,
    )
    if status.state != "done":
        return base
    result = queue.result(job_id) or {}
    return BatchRow(
        spec.source, "done", item_id=int(result["item_id"]), job_id=job_id, line=spec.line, progress=1.0
    )


def collect_batch(
    services: Any,
    batch: Batch,
    *,
    wait: bool = True,
    timeout: float | None = None,
    on_progress: Callable[[list[BatchRow]], None] | None = None,
    poll_s: float = 0.5,
) -> list[BatchRow]:
    """One row per source; with `wait`, polls until every job finished (or `timeout` seconds passed)."""
    queue, _ = batch_queue(services)
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        rows = [_row(queue, s, j) for s, j in zip(batch.specs, batch.job_ids, strict=True)]
        if on_progress is not None:
            on_progress(rows)
        pending = [r for r in rows if r.job_id and r.status not in FINISHED]
        if not wait or not pending or (deadline is not None and time.monotonic() >= deadline):
            return rows
        time.sleep(poll_s)


def run_batch(
    services: Any,
    sources: SourceList,
    *,
    timeout: float | None = None,
    created_by: str = "batch",
    on_progress: Callable[[list[BatchRow]], None] | None = None,
) -> tuple[Batch, list[BatchRow]]:
    """Submit every valid source and wait for all of them."""
    batch = submit_batch(services, sources, created_by=created_by)
    return batch, collect_batch(services, batch, timeout=timeout, on_progress=on_progress)
