"""Background jobs: one interface (submit, status, progress, cancel, result), two backends.

`job_queue(services)` returns the configured backend, built once per services:
- in-process threads (`JobQueue`, the default: nothing else to start), or
- Celery workers through Redis (`CeleryQueue`) when `HERALD_QUEUE=celery` and
  `HERALD_REDIS_URL` are set; workers start with `python -m core worker`.
Both keep states in the store's `jobs` table (`table.py`) and run handlers the
same way (`runner.py`). Job kinds live in one registry (`registry.py`):
`register_job_kind(name, fn)` with `fn(payload, ctx) -> JSON-able`.
`atomic_output` (files.py) writes result files under a temporary name first.
Celery and redis are imported only when the Celery backend is used.
"""

from __future__ import annotations

from typing import Any, Protocol

from core.jobs.errors import (
    JobCancelledError,
    JobFailedError,
    JobNotFinishedError,
    QueueConfigError,
    QueueUnavailableError,
    UnknownJobKindError,
)
from core.jobs.files import atomic_output, write_text_atomic
from core.jobs.inprocess import InProcessQueue, JobQueue
from core.jobs.model import FINISHED, JOB_STATES, Handler, JobContext, JobStatus
from core.jobs.registry import BUILTIN_KINDS, get_job_kind, job_kinds, register_job_kind

__all__ = [
    "JOB_STATES",
    "FINISHED",
    "BACKENDS",
    "JobStatus",
    "JobContext",
    "Handler",
    "Queue",
    "JobQueue",
    "InProcessQueue",
    "job_queue",
    "open_queue",
    "register_job_kind",
    "get_job_kind",
    "job_kinds",
    "BUILTIN_KINDS",
    "atomic_output",
    "write_text_atomic",
    "JobFailedError",
    "JobCancelledError",
    "JobNotFinishedError",
    "UnknownJobKindError",
    "QueueUnavailableError",
    "QueueConfigError",
]

BACKENDS = ("inprocess", "celery")


class Queue(Protocol):
    """What every backend offers; callers use only this."""

    backend: str

    def submit(self, kind: str, payload: dict[str, Any]) -> str: ...
    def status(self, job_id: str) -> JobStatus: ...
    def result(self, job_id: str, *, timeout: float | None = None) -> Any: ...
    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus: ...
    def cancel(self, job_id: str) -> JobStatus: ...
    def list(self, *, kind: str | None = None, limit: int = 50) -> list[JobStatus]: ...
    def shutdown(self, *, wait: bool = True, cancel_running: bool = False) -> None: ...


def open_queue(settings: Any, store: Any, *, services: Any = None, events: Any = None) -> Queue:
    """The backend the settings name (`HERALD_QUEUE`); never falls back silently to another."""
    name = (settings.queue_backend or "inprocess").strip().lower()
    if name == "inprocess":
        return JobQueue(
            store,
            workers=settings.render_workers,
            events=events,
            services=services,
            heartbeat_s=settings.job_heartbeat_s,
            stale_s=settings.job_stale_s,
        )
    if name == "celery":
        if not settings.redis_url:
            raise QueueConfigError(
                "HERALD_QUEUE=celery needs HERALD_REDIS_URL (e.g. redis://localhost:6379/0); "
                "or unset HERALD_QUEUE to run jobs in-process"
            )
        from core.jobs.celery_backend import CeleryQueue

        return CeleryQueue(store, settings)
    raise QueueConfigError(f"HERALD_QUEUE={name!r} is not a backend; choose one of {', '.join(BACKENDS)}")


def job_queue(services: Any) -> Queue:
    """The services' job queue (built on first use, then shared by every page and command)."""
    queue = services.extras.get("jobs")
    if queue is None:
        with services._lock:
            queue = services.extras.get("jobs")
            if queue is None:
                queue = open_queue(
                    services.settings, services.store, services=services, events=services.events
                )
                services.extras["jobs"] = queue
    return queue
