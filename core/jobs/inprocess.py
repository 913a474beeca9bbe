"""The default backend: a thread pool inside the app's own process (`make run`, nothing else to start).

States live in the store's `jobs` table like the Celery backend's, so any page
or process can watch and cancel them. Jobs of a process that died (killed,
crashed) are marked failed with the reason when the next queue opens the same
database, and by the periodic sweep of stale heartbeats: they are never left
"running". Nothing here survives the process; a team that needs that runs
workers (`HERALD_QUEUE=celery`).
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from core.jobs.errors import (
    JobCancelledError,
    JobFailedError,
    JobNotFinishedError,
)
from core.jobs.model import Handler, JobStatus
from core.jobs.registry import get_job_kind
from core.jobs.runner import Heartbeat, run_job
from core.jobs.table import JobTable, owner_name
from core.store import Store

__all__ = ["JobQueue", "InProcessQueue", "check_payload", "wait_for", "result_of"]


def check_payload(payload: dict[str, Any]) -> None:
    """Raise InvalidInputError unless the payload is a JSON-serialisable dict."""
    from core.errors import InvalidInputError

    if not isinstance(payload, dict):
        raise InvalidInputError("A job payload must be a dict of JSON values")
    try:
        json.dumps(payload)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"Job payload must be JSON-serialisable ({exc})") from exc


def wait_for(queue: Any, job_id: str, timeout: float | None = None, poll_s: float = 0.05) -> JobStatus:
    """Poll `queue.status` until the job finishes or `timeout` passes."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = queue.status(job_id)
        if status.finished or (deadline is not None and time.monotonic() >= deadline):
            return status
        time.sleep(poll_s)


def result_of(queue: Any, table: JobTable, job_id: str, timeout: float | None) -> Any:
    """The job's result, or the error that says why there is none."""
    status = wait_for(queue, job_id, timeout) if timeout else queue.status(job_id)
    if status.state == "done":
        raw = table.row(job_id)["result_json"]
        return json.loads(raw) if raw else None
    if status.state == "failed":
        raise JobFailedError(status.error or "the job failed")
    if status.state == "cancelled":
        raise JobCancelledError(f"Job {job_id} was cancelled")
    raise JobNotFinishedError(f"Job {job_id} is {status.state}; poll its status and try again")


class JobQueue:
    """In-process backend: registered handlers run in a thread pool; states in the `jobs` table."""

    backend = "inprocess"

    def __init__(
        self,
        store: Store,
        *,
        workers: int = 1,
        handlers: dict[str, Handler] | None = None,
        events: Any = None,
        services: Any = None,
        heartbeat_s: float = 1.0,
        stale_s: float = 30.0,
    ):
        self.store = store
        self.events = events
        self.services = services
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.table = JobTable(store, self.backend)
        self.owner = owner_name()
        self.stale_s = stale_s
        self.heartbeat = Heartbeat(self.table, heartbeat_s)
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="herald-job")
        self._futures: dict[str, Future] = {}
        self._cancels: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self._last_sweep = time.monotonic()
        self.recover_orphans()

    def register(self, kind: str, handler: Handler) -> None:
        """Add or replace a handler for this queue only (the shared registry is `register_job_kind`)."""
        self.handlers[kind] = handler

    def _lookup(self, kind: str) -> Handler:
        return self.handlers[kind] if kind in self.handlers else get_job_kind(kind)

    def submit(self, kind: str, payload: dict[str, Any]) -> str:
        """Queue a job and return its id."""
        self._lookup(kind)  # unknown kinds fail here, before anything is stored
        check_payload(payload)
        job_id = self.table.insert(kind, payload, self.owner)
        cancel = threading.Event()
        with self._lock:
            self._cancels[job_id] = cancel
            self._futures[job_id] = self._pool.submit(self._run, job_id, cancel)
        return job_id

    def status(self, job_id: str) -> JobStatus:
        """The job's current state; raises NotFoundError for an unknown id."""
        status = self.table.status(job_id)
        if status.state == "running" and status.worker != self.owner:
            self._maybe_sweep()  # another process runs it: notice if that process died
            status = self.table.status(job_id)
        return status

    def _maybe_sweep(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep >= max(0.5, self.stale_s / 3):
            self._last_sweep = now
            self.recover_orphans()

    def result(self, job_id: str, *, timeout: float | None = None) -> Any:
        """The job's JSON result; waits up to `timeout` seconds when given."""
        return result_of(self, self.table, job_id, timeout)

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job finishes (or `timeout` passes) and return its status."""
        return wait_for(self, job_id, timeout)

    def cancel(self, job_id: str) -> JobStatus:
        """Ask a job to stop: a queued job never starts, a running one stops at its next check."""
        if self.status(job_id).finished:
            return self.status(job_id)
        self.table.request_cancel(job_id)
        with self._lock:
            event, future = self._cancels.get(job_id), self._futures.get(job_id)
        if event is not None:
            event.set()
        if future is not None:
            future.cancel()
        return self.status(job_id)

    def list(self, *, kind: str | None = None, limit: int = 50) -> list[JobStatus]:
        """Recent jobs, newest first."""
        return self.table.list(kind=kind, limit=limit)

    def shutdown(self, *, wait: bool = True, cancel_running: bool = False) -> None:
        """Stop the pool; optionally cancel what is still queued or running."""
        if cancel_running:
            for job_id in list(self._cancels):
                if not self.status(job_id).finished:
                    self.cancel(job_id)
        self._pool.shutdown(wait=wait, cancel_futures=cancel_running)
        self.heartbeat.stop()

    def recover_orphans(self) -> int:
        """Mark jobs whose process died, or whose heartbeat went stale, failed; return how many."""
        failed = self.table.sweep_stale(self.stale_s, 0, skip_owner=self.owner)
        return len(failed) + self.table.fail_orphans(self.owner)

    def _run(self, job_id: str, cancel: threading.Event) -> None:
        try:
            if cancel.is_set():
                return
            run_job(
                self.table,
                job_id,
                self.owner,
                self._lookup,
                self.heartbeat,
                services=self.services,
                cancel=cancel,
                events=self.events,
            )
        finally:
            with self._lock:
                self._futures.pop(job_id, None)
                self._cancels.pop(job_id, None)


InProcessQueue = JobQueue
