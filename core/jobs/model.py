"""What callers see of a job: `JobStatus`, and what a handler gets: `JobContext`.

Both backends (in-process threads and Celery workers) hand the same
`JobContext` to a handler and report the same `JobStatus`; neither knows which
kind of job it runs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.services import Services

__all__ = ["JOB_STATES", "FINISHED", "JobStatus", "JobContext", "Handler"]

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED = ("done", "failed", "cancelled")


@dataclass(frozen=True)
class JobStatus:
    """Where a job is: state, progress 0..1, a short message, and who ran it how often."""

    id: str
    kind: str
    state: str
    progress: float
    message: str
    error: str = ""
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    backend: str = "inprocess"
    attempts: int = 0
    worker: str = ""
    cancel_requested: bool = False

    @property
    def finished(self) -> bool:
        """True once the job is done, failed or cancelled."""
        return self.state in FINISHED


class JobContext:
    """What a handler may do: report progress, ask whether it was cancelled, reach the services."""

    def __init__(
        self,
        job_id: str,
        services: Services | None,
        cancel_event: threading.Event,
        write_progress: Callable[[float, str], None],
    ):
        self.job_id = job_id
        self.services = services
        self._cancel = cancel_event
        self._write = write_progress
        self._last = 0.0

    def progress(self, fraction: float, message: str = "") -> None:
        """Record progress (0..1); writes are throttled to a few per second."""
        now = time.monotonic()
        if fraction < 1.0 and now - self._last < 0.2:
            return
        self._last = now
        self._write(max(0.0, min(1.0, float(fraction))), message[:300])

    def cancelled(self) -> bool:
        """True when someone (in any process) asked to cancel this job."""
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        """Raise `JobCancelledError` when the job was cancelled (a convenience for loops)."""
        if self.cancelled():
            from core.jobs.errors import JobCancelledError

            raise JobCancelledError(f"Job {self.job_id} was cancelled")


Handler = Callable[[dict[str, Any], JobContext], Any]
