"""Run one job to its end: claim it, keep its heartbeat, call its handler, finish it once.

Shared by both backends. The `Heartbeat` thread writes `heartbeat_at` for every
job this process runs and reads their cancel flags from the shared table, so a
cancel asked in another process (the app, the CLI, another worker) reaches the
handler through `ctx.cancelled()` within one heartbeat.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from core.errors import HeraldError
from core.jobs.errors import JobCancelledError
from core.jobs.model import Handler, JobContext
from core.jobs.table import JobTable

__all__ = ["Heartbeat", "run_job"]

LOG = logging.getLogger(__name__)


class Heartbeat:
    """One daemon thread per process: heartbeats running jobs and relays cancel flags."""

    def __init__(self, table: JobTable, interval_s: float):
        self.table = table
        self.interval_s = max(0.05, float(interval_s))
        self._jobs: dict[str, tuple[int, threading.Event]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, job_id: str, attempt: int, cancel: threading.Event) -> None:
        """Start beating for a job (starts the thread on first use)."""
        with self._lock:
            self._jobs[job_id] = (attempt, cancel)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._loop, name="herald-heartbeat", daemon=True)
                self._thread.start()

    def remove(self, job_id: str) -> None:
        """Stop beating for a job."""
        with self._lock:
            self._jobs.pop(job_id, None)

    def stop(self) -> None:
        """End the thread."""
        self._stop.set()

    def tick(self) -> None:
        """One heartbeat now (the thread calls it every interval)."""
        with self._lock:
            jobs = dict(self._jobs)
        if not jobs:
            return
        try:
            cancelled = self.table.beat({job_id: attempt for job_id, (attempt, _) in jobs.items()})
        except Exception as exc:  # a busy or restarting database must not kill the thread
            LOG.warning("job heartbeat failed: %s", exc)
            return
        for job_id in cancelled:
            jobs[job_id][1].set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.tick()


def run_job(
    table: JobTable,
    job_id: str,
    owner: str,
    lookup: Callable[[str], Handler],
    heartbeat: Heartbeat,
    *,
    services: Any = None,
    cancel: threading.Event | None = None,
    events: Any = None,
) -> str:
    """Claim and run one job; return "done", "failed", "cancelled" or "skipped" (not claimable)."""
    attempt = table.claim(job_id, owner)
    if attempt is None:
        return "skipped"  # finished, cancelled, or held by another worker (a duplicate message)
    row = table.row(job_id)
    kind = row["kind"]
    cancel = cancel or threading.Event()
    heartbeat.add(job_id, attempt, cancel)
    ctx = JobContext(job_id, services, cancel, lambda f, m: table.progress(job_id, attempt, f, m))
    started = time.perf_counter()
    outcome = "done"
    try:
        handler = lookup(kind)
        result = handler(json.loads(row["payload_json"] or "{}"), ctx)
    except Exception as exc:
        if cancel.is_set() or isinstance(exc, JobCancelledError):
            outcome = "cancelled"
            table.finish(job_id, "cancelled", attempt=attempt, message="cancelled")
        else:
            outcome = "failed"
            LOG.warning(
                "job %s (%s) failed: %s", job_id, kind, exc, exc_info=not isinstance(exc, HeraldError)
            )
            table.finish(
                job_id, "failed", attempt=attempt, message="failed", error=f"{exc}" or type(exc).__name__
            )
    else:
        if not table.finish(job_id, "done", attempt=attempt, message="done", result=result):
            LOG.warning("job %s finished after it was given up; its result was dropped", job_id)
    finally:
        heartbeat.remove(job_id)
        if events is not None:
            events.emit(
                "job",
                provider=kind,
                latency_ms=(time.perf_counter() - started) * 1000,
                outcome="ok" if outcome == "done" else ("error" if outcome == "failed" else outcome),
                job_id=job_id,
                backend=table.backend,
                attempt=attempt,
            )
    return outcome
