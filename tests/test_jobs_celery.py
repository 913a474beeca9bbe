"""The Celery backend against a real redis-server and real `python -m core worker` processes.

Marked `service`: skipped locally with `-m "not service"`, run by `make test` and CI.
Faults each get a test: Redis restarted mid-run, a worker killed (kill -9)
mid-job, cancel from another process. Redis down at submit time needs no
server and lives in test_jobs_backends.py.
"""

from __future__ import annotations

import os
import time

import pytest

from core.jobs import JobCancelledError, job_queue
from core.jobs.celery_backend import CeleryQueue
from core.services import build_services
from tests.services import start_worker
from utils.settings import load_settings

pytestmark = pytest.mark.service


@pytest.fixture
def env(redis_server, isolated_dirs, monkeypatch):
    """Environment of the app and its workers: celery backend, short heartbeats, this test's data."""
    import redis

    redis.Redis.from_url(redis_server.url).flushdb()
    values = {
        "HERALD_QUEUE": "celery",
        "HERALD_REDIS_URL": redis_server.url,
        "HERALD_JOB_HEARTBEAT_S": "0.3",
        "HERALD_JOB_STALE_S": "3",
        "HERALD_JOB_MAX_ATTEMPTS": "3",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return dict(os.environ)


@pytest.fixture
def services(env):
    s = build_services(load_settings())
    yield s
    job_queue(s).shutdown()


@pytest.fixture
def worker(env, tmp_path):
    w = start_worker(env, tmp_path / "workers", name="main")
    yield w
    w.stop()


def _wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_job_runs_on_the_worker_and_its_result_comes_back(services, worker):
    queue = job_queue(services)
    assert isinstance(queue, CeleryQueue) and queue.backend == "celery"
    job_id = queue.submit("noop", {"n": 7})
    status = queue.wait(job_id, timeout=30)
    assert status.state == "done", (status, worker.output()[-2000:])
    assert queue.result(job_id) == {"n": 7}
    assert status.worker.endswith(f":{worker.pid}")  # ran in the worker, not in this process
    assert status.backend == "celery" and status.attempts == 1


def test_progress_is_visible_and_cancel_reaches_the_worker(services, worker):
    queue = job_queue(services)
    job_id = queue.submit("sleep", {"seconds": 60})
    _wait_until(lambda: queue.status(job_id).progress > 0.0, 30, "progress from the worker")
    assert queue.status(job_id).state == "running"
    started = time.monotonic()
    queue.cancel(job_id)
    status = queue.wait(job_id, timeout=15)
    assert status.state == "cancelled", status
    assert time.monotonic() - started < 10
    with pytest.raises(JobCancelledError):
        queue.result(job_id)
    # the worker is free again
    assert queue.wait(queue.submit("noop", {}), timeout=30).state == "done"


def test_a_queued_job_cancelled_before_a_worker_takes_it_never_runs(services, tmp_path):
    queue = job_queue(services)
    marker = tmp_path / "ran.txt"
    job_id = queue.submit("sleep", {"seconds": 0.1, "marker": str(marker)})
    assert queue.cancel(job_id).state == "cancelled"  # no worker running yet
    w = start_worker(dict(os.environ), tmp_path / "workers", name="late")
    try:
        assert queue.wait(queue.submit("noop", {}), timeout=30).state == "done"
    finally:
        w.stop()
    assert not marker.exists()
    assert queue.status(job_id).state == "cancelled"


def test_a_worker_killed_mid_job_leaves_the_job_retried_by_another(services, env, tmp_path):
    queue = job_queue(services)
    first = start_worker(env, tmp_path / "workers", name="first")
    marker = tmp_path / "attempts.txt"
    job_id = queue.submit("sleep", {"seconds": 2, "marker": str(marker), "value": "kept"})
    # progress > 0: the handler itself is running (it wrote the marker), not just the claim
    _wait_until(lambda: queue.status(job_id).progress > 0, 30, "the first worker to run the job")
    assert queue.status(job_id).worker.endswith(f":{first.pid}")
    first.kill9()
    second = start_worker(env, tmp_path / "workers", name="second")
    try:
        status = queue.wait(job_id, timeout=60)
        assert status.state == "done", (status, second.output()[-3000:])
        assert status.attempts == 2 and status.worker.endswith(f":{second.pid}")
        assert queue.result(job_id)["value"] == "kept"
        assert marker.read_text().count(job_id) == 2
    finally:
        second.stop()


def test_a_job_out_of_attempts_is_marked_failed_with_the_reason(services, env, tmp_path, monkeypatch):
    queue = job_queue(services)
    first = start_worker(env, tmp_path / "workers", name="first")
    job_id = queue.submit("sleep", {"seconds": 30})
    _wait_until(lambda: queue.status(job_id).state == "running", 30, "the first worker to start the job")
    first.kill9()
    second = start_worker({**env, "HERALD_JOB_MAX_ATTEMPTS": "1"}, tmp_path / "workers", name="second")
    try:
        status = queue.wait(job_id, timeout=30)
        assert status.state == "failed", status
        assert (
            "interrupted" in status.error
            and str(first.pid) in status.error
            and "submit it again" in status.error
        )
    finally:
        second.stop()


def test_redis_restarted_mid_run_every_job_still_finishes(services, worker, redis_server):
    queue = job_queue(services)
    ids = [queue.submit("sleep", {"seconds": 0.4, "value": i}) for i in range(6)]
    _wait_until(lambda: queue.status(ids[0]).finished, 30, "the first job")
    redis_server.restart(down_s=1.0)
    states = [queue.wait(job_id, timeout=90) for job_id in ids]
    assert [s.state for s in states] == ["done"] * 6, (states, worker.output()[-3000:])
    assert [queue.result(job_id)["value"] for job_id in ids] == list(range(6))
    # and the queue takes new work after the restart
    assert queue.wait(queue.submit("noop", {}), timeout=30).state == "done"


def test_the_video_command_submits_a_render_and_a_worker_renders_it(services, worker, tmp_path, capsys):
    import json
    from pathlib import Path

    from core.cli import main

    script = tmp_path / "script.txt"
    script.write_text("Herald renders on workers\nThe command only watches\n")
    out = tmp_path / "out"
    code = main(
        ["video", "--script", str(script), "--size", "160x90", "--fps", "6", "--out", str(out), "--json"]
    )
    captured = capsys.readouterr()
    assert code == 0, (captured.err, worker.output()[-3000:])
    result = json.loads(captured.out)
    assert Path(result["mp4"]).stat().st_size > 0 and Path(result["mp4"]).parent == out
    jobs = job_queue(services).list(kind="video")
    assert jobs and jobs[0].state == "done" and jobs[0].worker.endswith(f":{worker.pid}")


def test_two_workers_share_the_queue_and_run_each_job_exactly_once(services, worker, env, tmp_path):
    queue = job_queue(services)
    other = start_worker(env, tmp_path / "workers", name="other")
    marker = tmp_path / "runs.txt"
    try:
        ids = [queue.submit("sleep", {"seconds": 0.3, "marker": str(marker), "value": i}) for i in range(12)]
        states = [queue.wait(job_id, timeout=90) for job_id in ids]
    finally:
        other.stop()
    assert [s.state for s in states] == ["done"] * 12
    runs = marker.read_text().split()
    assert sorted(runs) == sorted(ids)  # every job ran, none twice
    assert {s.worker.rsplit(":", 1)[1] for s in states} == {str(worker.pid), str(other.pid)}
