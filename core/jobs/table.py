"""The `jobs` table: the one place job states are written, for both backends.

Every transition is a guarded UPDATE (`WHERE state = ...`), so two workers, a
late duplicate message or a worker that was given up for dead can never both
win: `claim` succeeds once per attempt, `finish` only for the attempt that
holds the job, and a result is written in the same statement that marks the
job done (never half-written). `sweep_stale` finds running jobs whose worker
stopped sending heartbeats and either hands them back for a retry or marks
them failed with the reason.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

from core.errors import NotFoundError
from core.jobs.model import JobStatus
from core.store import Store
from utils.events import utc_now_iso

__all__ = ["JobTable", "owner_name", "pid_alive"]


def owner_name() -> str:
    """`host:pid` of this process, the owner recorded on jobs it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def pid_alive(owner: str) -> bool:
    """False only when `owner` is a process on this host that no longer exists."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's job: the heartbeat decides
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobTable:
    """Reads and guarded writes of job rows through the store."""

    def __init__(self, store: Store, backend: str):
        self.store = store
        self.backend = backend

    # --- writes --------------------------------------------------------------
    def insert(self, kind: str, payload: dict[str, Any], owner: str) -> str:
        """Add a queued job and return its id."""
        job_id = uuid.uuid4().hex
        with self.store.transaction() as conn:
            conn.execute(
                "INSERT INTO jobs(id, kind, state, progress, message, payload_json, owner, created_at,"
                " backend, attempts, submitted_ts) VALUES (?, ?, 'queued', 0, 'queued', ?, ?, ?, ?, 0, ?)",
                (
                    job_id,
                    kind,
                    json.dumps(payload, ensure_ascii=False),
                    owner,
                    utc_now_iso(),
                    self.backend,
                    time.time(),
                ),
            )
        return job_id

    def claim(self, job_id: str, owner: str) -> int | None:
        """Mark a queued job running for `owner`; return its attempt number, None if not claimable."""
        with self.store.transaction() as conn:
            cur = conn.execute(
                "UPDATE jobs SET state = 'running', owner = ?, attempts = attempts + 1, message = 'started',"
                " started_at = ?, started_ts = ?, heartbeat_at = ? WHERE id = ? AND state = 'queued'"
                " AND cancel_requested = 0",
                (owner, utc_now_iso(), time.time(), time.time(), job_id),
            )
            if cur.rowcount != 1:
                return None
            row = conn.execute("SELECT attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return int(row[0])

    def progress(self, job_id: str, attempt: int, fraction: float, message: str) -> None:
        """Record progress of the attempt that holds the job."""
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE jobs SET progress = ?, message = ?, heartbeat_at = ?"
                " WHERE id = ? AND state = 'running' AND attempts = ?",
                (fraction, message, time.time(), job_id, attempt),
            )

    def beat(self, attempts: dict[str, int]) -> set[str]:
        """Heartbeat every running job of this process; return the ids asked to cancel."""
        if not attempts:
            return set()
        now = time.time()
        with self.store.transaction() as conn:
            for job_id, attempt in attempts.items():
                conn.execute(
                    "UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND state = 'running' AND attempts = ?",
                    (now, job_id, attempt),
                )
        marks = ",".join("?" for _ in attempts)
        rows = self.store.query(
            f"SELECT id FROM jobs WHERE id IN ({marks}) AND cancel_requested = 1", tuple(attempts)
        )
        return {r["id"] for r in rows}

    def finish(
        self,
        job_id: str,
        state: str,
        *,
        attempt: int | None = None,
        message: str = "",
        error: str = "",
        result: Any = None,
    ) -> bool:
        """Finish a job in one statement (result included); only the attempt holding it may."""
        fields: dict[str, Any] = {
            "state": state,
            "message": message or state,
            "error": error[:2000],
            "finished_at": utc_now_iso(),
        }
        if state == "done":
            fields["progress"] = 1.0
            fields["result_json"] = json.dumps(result, ensure_ascii=False, default=str)
        sets = ", ".join(f"{k} = ?" for k in fields)
        where, params = "id = ? AND state IN ('queued', 'running')", [job_id]
        if attempt is not None:
            where += " AND attempts = ?"
            params.append(attempt)
        with self.store.transaction() as conn:
            cur = conn.execute(f"UPDATE jobs SET {sets} WHERE {where}", (*fields.values(), *params))
        return cur.rowcount == 1

    def request_cancel(self, job_id: str) -> None:
        """Set the cancel flag; a queued job is cancelled at once, a running one at its next heartbeat."""
        with self.store.transaction() as conn:
            conn.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))
            conn.execute(
                "UPDATE jobs SET state = 'cancelled', message = 'cancelled before it started', finished_at = ?"
                " WHERE id = ? AND state = 'queued'",
                (utc_now_iso(), job_id),
            )

    def sweep_stale(
        self,
        stale_s: float,
        max_attempts: int,
        *,
        retry: Callable[[str], None] | None = None,
        skip_owner: str = "",
    ) -> list[tuple[str, str]]:
        """Retry (or fail) running jobs of this backend whose worker stopped; return (id, outcome) pairs.

        A job is stale when its owner is a dead process on this host, or when its
        heartbeat is older than `stale_s` seconds. With `retry`, a stale job with
        attempts left goes back to queued and `retry(job_id)` re-sends it;
        otherwise (or out of attempts) it is marked failed with the reason.
        """
        now = time.time()
        rows = self.store.query(
            "SELECT id, owner, attempts, heartbeat_at FROM jobs WHERE backend = ? AND state = 'running'",
            (self.backend,),
        )
        outcomes = []
        for r in rows:
            if r["owner"] == skip_owner:
                continue
            beat = r["heartbeat_at"] or 0.0
            dead = not pid_alive(r["owner"])
            if not dead and now - beat < stale_s:
                continue
            why = (
                f"the worker running it ({r['owner']}) stopped"
                if dead
                else f"no heartbeat from its worker ({r['owner']}) for {now - beat:.0f} s"
            )
            if retry is not None and int(r["attempts"]) < max_attempts:
                with self.store.transaction() as conn:
                    cur = conn.execute(
                        "UPDATE jobs SET state = 'queued', progress = 0, message = ? WHERE id = ?"
                        " AND state = 'running' AND attempts = ? AND cancel_requested = 0",
                        (f"retrying: {why}", r["id"], r["attempts"]),
                    )
                if cur.rowcount == 1:
                    try:
                        retry(r["id"])
                    except Exception:
                        # not re-sent (the broker is down): leave it running-and-stale for the next sweep
                        with self.store.transaction() as conn:
                            conn.execute(
                                "UPDATE jobs SET state = 'running' WHERE id = ? AND state = 'queued'",
                                (r["id"],),
                            )
                        raise
                    outcomes.append((r["id"], "retried"))
                    continue
            with self.store.transaction() as conn:
                cur = conn.execute(
                    "UPDATE jobs SET state = 'failed', message = 'failed', error = ?, finished_at = ?"
                    " WHERE id = ? AND state = 'running' AND attempts = ?",
                    (
                        f"interrupted: {why} after {r['attempts']} attempt(s); submit it again",
                        utc_now_iso(),
                        r["id"],
                        r["attempts"],
                    ),
                )
            if cur.rowcount == 1:
                outcomes.append((r["id"], "failed"))
        return outcomes

    def fail_orphans(self, owner: str) -> int:
        """Mark queued jobs of dead in-process owners failed (nobody else will run them)."""
        rows = self.store.query(
            "SELECT id, owner FROM jobs WHERE backend = ? AND state = 'queued'", (self.backend,)
        )
        dead = [r["id"] for r in rows if r["owner"] != owner and not pid_alive(r["owner"])]
        for job_id in dead:
            self.finish(
                job_id, "failed", error="interrupted: the process running it stopped; submit it again"
            )
        return len(dead)

    # --- reads ---------------------------------------------------------------
    def row(self, job_id: str) -> dict[str, Any]:
        """The raw row; raises NotFoundError for an unknown id."""
        rows = self.store.query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise NotFoundError(f"No job {job_id!r}; submit it again")
        return rows[0]

    def status(self, job_id: str) -> JobStatus:
        """The job's current state."""
        return _status(self.row(job_id))

    def list(self, *, kind: str | None = None, limit: int = 50) -> list[JobStatus]:
        """Recent jobs (any backend), newest first."""
        sql, params = "SELECT * FROM jobs", ()
        if kind:
            sql, params = sql + " WHERE kind = ?", (kind,)
        rows = self.store.query(sql + " ORDER BY created_at DESC LIMIT ?", (*params, limit))
        return [_status(r) for r in rows]


def _status(row: dict[str, Any]) -> JobStatus:
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
        backend=row.get("backend") or "inprocess",
        attempts=int(row.get("attempts") or 0),
        worker=row.get("owner") or "",
        cancel_requested=bool(row.get("cancel_requested")),
    )
