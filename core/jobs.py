"""A small job queue: a thread pool behind `submit`, `status`, `result`, `cancel`.

Job states live in SQLite (`jobs` table), so any page or process can read them;
handlers take a JSON-able payload and a `JobContext` (progress, cancellation)
and return a JSON-able result. That contract is what a real queue (Celery with
Redis) would need, so it can replace this class without changing callers. Jobs
left queued or running by a process that no longer exists are marked failed
when a queue opens the same database. This module knows nothing about video.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from core.errors import HeraldError, InvalidInputError, NotFoundError
from core.store import Store
from utils.events import EventLog, utc_now_iso

__all__ = [
    "JobQueue",
    "JobStatus",
    "JobContext",
    "JOB_STATES",
    "JobFailedError",
    "JobCancelledError",
    "JobNotFinishedError",
]

LOG = logging.getLogger(__name__)
JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED = ("done", "failed", "cancelled")


class JobFailedError(HeraldError):
    """The job raised an error; the message is the job's error."""


class JobCancelledError(HeraldError):
    """The job was cancelled before it finished."""


class JobNotFinishedError(HeraldError):
    """The job is still queued or running; poll `status` and ask again."""


@dataclass(frozen=True)
class JobStatus:
    """Where a job is: state, progress 0..1 and a short message."""

    id: str
    kind: str
    state: str
    progress: float
    message: str
    error: str = ""
    created_at: str = ""
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def finished(self) -> bool:
        """True once the job is done, failed or cancelled."""
        return self.state in FINISHED


class JobContext:
    """What a handler may do: report progress and ask whether it was cancelled."""

    def __init__(self, queue: JobQueue, job_id: str, cancel_event: threading.Event):
        self.queue = queue
        self.job_id = job_id
        self._cancel = cancel_event
        self._last = 0.0

    def progress(self, fraction: float, message: str = "") -> None:
        """Record progress (0..1); writes are throttled to a few per second."""
        now = time.monotonic()
        if fraction < 1.0 and now - self._last < 0.2:
            return
        self._last = now
        self.queue._update(self.job_id, progress=max(0.0, min(1.0, float(fraction))), message=message[:300])

    def cancelled(self) -> bool:
        """True when someone asked to cancel this job."""
        return self._cancel.is_set()


Handler = Callable[[dict[str, Any], JobContext], Any]


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's job: not ours to judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobQueue:
    """Runs registered handlers in a thread pool; states in the store's `jobs` table."""

    def __init__(
        self,
        store: Store,
        *,
        workers: int = 1,
        handlers: dict[str, Handler] | None = None,
        events: EventLog | None = None,
    ):
        self.store = store
        self.events = events
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="herald-job")
        self._futures: dict[str, Future] = {}
        self._cancels: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.owner = _owner()
        self.recover_orphans()

    def register(self, kind: str, handler: Handler) -> None:
        """Add or replace the handler for a job kind."""
        self.handlers[kind] = handler

    def submit(self, kind: str, payload: dict[str, Any]) -> str:
        """Queue a job and return its id."""
        if kind not in self.handlers:
            raise InvalidInputError(f"No handler for job kind {kind!r}; known kinds: {sorted(self.handlers)}")
        try:
            payload_json = json.dumps(payload, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise InvalidInputError(f"Job payload must be JSON-serialisable ({exc})") from exc
        job_id = uuid.uuid4().hex
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO jobs(id, kind, state, progress, message, payload_json, owner, created_at)"
                " VALUES (?, ?, 'queued', 0, 'queued', ?, ?, ?)",
                (job_id, kind, payload_json, self.owner, utc_now_iso()),
            )
        cancel = threading.Event()
        with self._lock:
            self._cancels[job_id] = cancel
            self._futures[job_id] = self._pool.submit(self._run, job_id, kind, payload, cancel)
        return job_id

    def status(self, job_id: str) -> JobStatus:
        """The job's current state; raises NotFoundError for an unknown id."""
        row = self._row(job_id)
        return JobStatus(
            id=row["id"],
            kind=row["kind"],
            state=row["state"],
            progress=float(row["progress"]),
            message=row["message"],
            error=row["error"],
            created_at=row["created_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
        )

    def result(self, job_id: str, *, timeout: float | None = None) -> Any:
        """The job's JSON result; waits up to `timeout` seconds when given."""
        status = self.wait(job_id, timeout) if timeout else self.status(job_id)
        if status.state == "done":
            raw = self._row(job_id)["result_json"]
            return json.loads(raw) if raw else None
        if status.state == "failed":
            raise JobFailedError(status.error or "the job failed")
        if status.state == "cancelled":
            raise JobCancelledError(f"Job {job_id} was cancelled")
        raise JobNotFinishedError(f"Job {job_id} is {status.state}; poll its status and try again")

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job finishes (or `timeout` passes) and return its status."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status(job_id)
            if status.finished or (deadline is not None and time.monotonic() >= deadline):
                return status
            time.sleep(0.05)

    def cancel(self, job_id: str) -> JobStatus:
        """Ask a job to stop: a queued job never starts, a running one stops at its next check."""
        status = self.status(job_id)
        if status.finished:
            return status
        with self.store.transaction() as conn:
            conn.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))
        with self._lock:
            event, future = self._cancels.get(job_id), self._futures.get(job_id)
        if event is not None:
            event.set()
        if future is not None and future.cancel():
            self._finish(job_id, "cancelled", message="cancelled before it started")
        return self.status(job_id)

    def list(self, *, kind: str | None = None, limit: int = 50) -> list[JobStatus]:
        """Recent jobs, newest first."""
        sql, params = "SELECT id FROM jobs", ()
        if kind:
            sql, params = sql + " WHERE kind = ?", (kind,)
        rows = self.store.query(sql + " ORDER BY created_at DESC LIMIT ?", (*params, limit))
        return [self.status(r["id"]) for r in rows]

    def shutdown(self, *, wait: bool = True, cancel_running: bool = False) -> None:
        """Stop the pool; optionally cancel what is still queued or running."""
        if cancel_running:
            for job_id in list(self._cancels):
                if not self.status(job_id).finished:
                    self.cancel(job_id)
        self._pool.shutdown(wait=wait, cancel_futures=cancel_running)

    def recover_orphans(self) -> int:
        """Mark jobs whose owning process has died as failed; return how many."""
        rows = self.store.query("SELECT id, owner FROM jobs WHERE state IN ('queued', 'running')")
        dead = [r["id"] for r in rows if r["owner"] != self.owner and not _pid_alive(r["owner"])]
        for job_id in dead:
            self._finish(
                job_id, "failed", error="interrupted: the process running it stopped; submit it again"
            )
        return len(dead)

    # --- internals ---------------------------------------------------------
    def _row(self, job_id: str) -> dict[str, Any]:
        rows = self.store.query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise NotFoundError(f"No job {job_id!r}; submit the render again")
        return rows[0]

    def _update(self, job_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.store.transaction() as conn:
            conn.execute(f"UPDATE jobs SET {sets} WHERE id = ?", (*fields.values(), job_id))

    def _finish(
        self, job_id: str, state: str, *, message: str = "", error: str = "", result: Any = None
    ) -> None:
        fields: dict[str, Any] = {
            "state": state,
            "message": message or state,
            "error": error[:2000],
            "finished_at": utc_now_iso(),
        }
        if state == "done":
            fields["progress"] = 1.0
            fields["result_json"] = json.dumps(result, ensure_ascii=False, default=str)
        self._update(job_id, **fields)

    def _run(self, job_id: str, kind: str, payload: dict[str, Any], cancel: threading.Event) -> None:
        if cancel.is_set():
            self._finish(job_id, "cancelled", message="cancelled before it started")
            return
        self._update(job_id, state="running", started_at=utc_now_iso(), message="started")
        started = time.perf_counter()
        outcome = "ok"
        try:
            result = self.handlers[kind](payload, JobContext(self, job_id, cancel))
        except Exception as exc:
            if cancel.is_set():
                outcome = "cancelled"
                self._finish(job_id, "cancelled", message="cancelled")
            else:
                outcome = "error"
                LOG.warning(
                    "job %s (%s) failed: %s", job_id, kind, exc, exc_info=not isinstance(exc, HeraldError)
                )
                self._finish(job_id, "failed", message="failed", error=f"{exc}" or type(exc).__name__)
        else:
            self._finish(job_id, "done", message="done", result=result)
        finally:
            with self._lock:
                self._futures.pop(job_id, None)
                self._cancels.pop(job_id, None)
            if self.events is not None:
                self.events.emit(
                    "job",
                    provider=kind,
                    latency_ms=(time.perf_counter() - started) * 1000,
                    outcome=outcome,
                    job_id=job_id,
                )
