"""The job queue: submit, status, result, cancel, with states in real SQLite."""

from __future__ import annotations

import socket
import threading

import pytest

from core.errors import InvalidInputError, NotFoundError
from core.jobs import JobCancelledError, JobFailedError, JobNotFinishedError, JobQueue
from core.store import Store


@pytest.fixture
def store(tmp_path):
    return Store.open(tmp_path / "jobs.db")


@pytest.fixture
def queue(store):
    q = JobQueue(store, workers=1)
    yield q
    q.shutdown(wait=True, cancel_running=True)


def _double(payload, ctx):
    ctx.progress(0.5, "halfway")
    return {"value": payload["n"] * 2}


def test_submit_runs_and_stores_the_result(queue, store):
    queue.register("double", _double)
    job_id = queue.submit("double", {"n": 21})
    status = queue.wait(job_id, timeout=10)
    assert status.state == "done" and status.progress == 1.0
    assert queue.result(job_id) == {"value": 42}
    row = store.query("SELECT state, result_json FROM jobs WHERE id = ?", (job_id,))[0]
    assert row["state"] == "done" and '"value": 42' in row["result_json"]


def test_states_go_queued_running_done(queue):
    gate = threading.Event()
    started = threading.Event()

    def slow(payload, ctx):
        started.set()
        ctx.progress(0.3, "working")
        gate.wait(10)
        return "ok"

    queue.register("slow", slow)
    first = queue.submit("slow", {})
    second = queue.submit("slow", {})
    assert started.wait(5)
    assert queue.status(first).state == "running"
    assert queue.status(second).state == "queued"
    with pytest.raises(JobNotFinishedError):
        queue.result(first)
    gate.set()
    assert queue.wait(second, timeout=10).state == "done"
    assert queue.result(first) == "ok"


def test_failure_is_recorded_with_the_message(queue):
    def boom(payload, ctx):
        raise ValueError("disk on fire")

    queue.register("boom", boom)
    job_id = queue.submit("boom", {})
    assert queue.wait(job_id, timeout=10).state == "failed"
    with pytest.raises(JobFailedError, match="disk on fire"):
        queue.result(job_id)


def test_cancel_a_running_job(queue):
    started = threading.Event()

    def loop(payload, ctx):
        started.set()
        while not ctx.cancelled():
            threading.Event().wait(0.01)
        raise RuntimeError("stopped")

    queue.register("loop", loop)
    job_id = queue.submit("loop", {})
    assert started.wait(5)
    queue.cancel(job_id)
    assert queue.wait(job_id, timeout=10).state == "cancelled"
    with pytest.raises(JobCancelledError):
        queue.result(job_id)


def test_cancel_a_queued_job_never_runs_it(queue):
    gate = threading.Event()
    ran = []
    queue.register("wait", lambda p, c: gate.wait(10))
    queue.register("record", lambda p, c: ran.append(1))
    blocker = queue.submit("wait", {})
    job_id = queue.submit("record", {})
    assert queue.cancel(job_id).state == "cancelled"
    gate.set()
    queue.wait(blocker, timeout=10)
    assert ran == []
    assert queue.status(job_id).state == "cancelled"


def test_bad_requests(queue):
    with pytest.raises(InvalidInputError, match="No handler"):
        queue.submit("nope", {})
    queue.register("x", _double)
    with pytest.raises(InvalidInputError, match="JSON"):
        queue.submit("x", {"n": object()})
    with pytest.raises(NotFoundError):
        queue.status("missing")


def test_jobs_of_a_dead_process_are_marked_failed(store):
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO jobs(id, kind, state, owner, created_at) VALUES ('old', 'video', 'running', ?, 'now')",
            (f"{socket.gethostname()}:999999999",),
        )
    q = JobQueue(store)
    try:
        status = q.status("old")
        assert status.state == "failed" and "interrupted" in status.error
    finally:
        q.shutdown()


def test_status_is_visible_to_another_queue_on_the_same_database(tmp_path):
    path = tmp_path / "shared.db"
    a, b = JobQueue(Store.open(path)), JobQueue(Store.open(path))
    try:
        a.register("double", _double)
        job_id = a.submit("double", {"n": 2})
        a.wait(job_id, timeout=10)
        assert b.status(job_id).state == "done"
        assert b.result(job_id) == {"value": 4}
    finally:
        a.shutdown()
        b.shutdown()
