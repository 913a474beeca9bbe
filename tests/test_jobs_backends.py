"""Choosing a backend, the registry of job kinds, atomic results, and faults of the in-process backend.

Redis down at submit time needs no server: a port nobody listens on is enough.
The in-process faults use a real second Python process on the same SQLite file.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.jobs import (
    JobQueue,
    QueueConfigError,
    QueueUnavailableError,
    UnknownJobKindError,
    atomic_output,
    get_job_kind,
    job_kinds,
    job_queue,
    open_queue,
    register_job_kind,
)
from core.jobs.registry import BUILTIN_KINDS
from core.services import build_services
from core.store import Store
from tests.services import free_port
from utils.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_the_default_backend_is_in_process(settings):
    services = build_services(settings)
    queue = job_queue(services)
    try:
        assert isinstance(queue, JobQueue) and queue.backend == "inprocess"
        assert job_queue(services) is queue
        job_id = queue.submit("noop", {"a": 1})
        assert queue.result(job_id, timeout=10) == {"a": 1}
    finally:
        queue.shutdown()


def test_celery_without_a_redis_url_names_the_fix(monkeypatch):
    monkeypatch.setenv("HERALD_QUEUE", "celery")
    services = build_services(load_settings())
    with pytest.raises(QueueConfigError, match="HERALD_REDIS_URL"):
        job_queue(services)


def test_an_unknown_backend_names_the_choices(monkeypatch):
    monkeypatch.setenv("HERALD_QUEUE", "rabbit")
    with pytest.raises(QueueConfigError, match="inprocess, celery"):
        open_queue(load_settings(), Store.open(None))


def test_redis_down_at_submit_is_a_clear_error_and_nothing_runs_in_process(monkeypatch, tmp_path):
    port = free_port()  # nobody listens here
    monkeypatch.setenv("HERALD_QUEUE", "celery")
    monkeypatch.setenv("HERALD_REDIS_URL", f"redis://:secret@127.0.0.1:{port}/0")
    services = build_services(load_settings())
    queue = job_queue(services)
    assert queue.backend == "celery"  # never the in-process backend in disguise
    marker = tmp_path / "ran.txt"
    started = time.monotonic()
    with pytest.raises(QueueUnavailableError) as info:
        queue.submit("sleep", {"seconds": 0, "marker": str(marker)})
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "redis-server" in message and "HERALD_QUEUE" in message
    assert "secret" not in message  # the password is not printed
    assert "Nothing was queued" in message
    assert time.monotonic() - started < 10
    time.sleep(0.3)
    assert not marker.exists()
    rows = services.store.query("SELECT state FROM jobs")
    assert all(r["state"] not in ("queued", "running") for r in rows)  # nothing left waiting forever


def test_registry_registers_functions_and_lazy_paths():
    assert {"video", "reindex", "agent_train", "noop", "batch"} <= set(job_kinds())
    register_job_kind("triple", lambda payload, ctx: payload["n"] * 3)
    assert get_job_kind("triple")({"n": 2}, None) == 6
    register_job_kind("lazy_noop", "core.jobs.kinds:noop_job")
    assert get_job_kind("lazy_noop")({"x": 1}, None) == {"x": 1}
    register_job_kind("broken", "core.jobs.kinds:does_not_exist")
    with pytest.raises(UnknownJobKindError, match="cannot be imported"):
        get_job_kind("broken")
    with pytest.raises(UnknownJobKindError, match="No handler"):
        get_job_kind("nothing-called-this")
    with pytest.raises(ValueError):
        register_job_kind("bad", "not a path")


def test_every_builtin_kind_except_batch_imports():
    for name in BUILTIN_KINDS:
        if name == "batch" and not (ROOT / "core" / "batch").exists():
            continue  # the batch module lands separately
        assert callable(get_job_kind(name)), name


def test_registered_kinds_run_through_the_in_process_queue(settings):
    register_job_kind("shout", lambda payload, ctx: payload["s"].upper())
    queue = JobQueue(Store.open(settings.database_path))
    try:
        assert queue.result(queue.submit("shout", {"s": "hi"}), timeout=10) == "HI"
    finally:
        queue.shutdown()


def test_reindex_and_agent_training_run_as_jobs(settings, sample_project):
    from tests.fakes import FakeEmbedder

    services = build_services(settings, embedder=FakeEmbedder())
    queue = job_queue(services)
    try:
        result = queue.result(queue.submit("reindex", {"source": str(sample_project)}), timeout=60)
        assert result["chunks"] > 0 and Path(result["folder"]).is_dir()
        trained = queue.result(queue.submit("agent_train", {}), timeout=60)
        assert isinstance(trained, dict)
    finally:
        queue.shutdown()


def test_atomic_output_leaves_the_old_file_or_the_whole_new_one(tmp_path):
    target = tmp_path / "out" / "result.csv"
    with atomic_output(target) as tmp:
        tmp.write_text("a,b\n1,2\n")
    assert target.read_text() == "a,b\n1,2\n"
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "a,b\n1,2\n"
    assert [p.name for p in target.parent.iterdir()] == ["result.csv"]


CHILD = textwrap.dedent(
    """
    import sys, time
    from core.jobs import JobQueue
    from core.store import Store
    queue = JobQueue(Store.open(sys.argv[1]), heartbeat_s=0.2)
    job_id = queue.submit("sleep", {"seconds": 60})
    print(job_id, flush=True)
    status = queue.wait(job_id, timeout=90)
    print(status.state, flush=True)
    """
)


def _child(db: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    job_id = proc.stdout.readline().strip()
    assert job_id, "the child process did not submit its job"
    return proc, job_id


def _wait_running(queue, job_id):
    deadline = time.monotonic() + 30
    while queue.status(job_id).progress == 0.0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queue.status(job_id).state == "running"


def test_in_process_job_of_a_killed_process_is_marked_failed_not_left_running(tmp_path):
    db = tmp_path / "shared.db"
    proc, job_id = _child(db)
    watcher = JobQueue(Store.open(db), stale_s=3)
    try:
        _wait_running(watcher, job_id)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        time.sleep(1.1)
        status = watcher.status(job_id)  # watching a job of a dead process sweeps it
        assert status.state == "failed" and "interrupted" in status.error and str(proc.pid) in status.error
    finally:
        watcher.shutdown()


def test_in_process_job_with_a_stale_heartbeat_on_another_host_is_failed(tmp_path):
    store = Store.open(tmp_path / "jobs.db")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO jobs(id, kind, state, owner, created_at, backend, attempts, heartbeat_at)"
            " VALUES ('far', 'video', 'running', 'elsewhere:1', 'now', 'inprocess', 1, ?)",
            (time.time() - 120,),
        )
        conn.execute(
            "INSERT INTO jobs(id, kind, state, owner, created_at, backend, attempts, heartbeat_at)"
            " VALUES ('fresh', 'video', 'running', 'elsewhere:2', 'now', 'inprocess', 1, ?)",
            (time.time(),),
        )
    queue = JobQueue(store, stale_s=30)
    try:
        far = queue.status("far")
        assert far.state == "failed" and "no heartbeat" in far.error
        assert queue.status("fresh").state == "running"  # alive elsewhere: not ours to judge yet
    finally:
        queue.shutdown()


def test_cancel_from_another_process_stops_an_in_process_job(tmp_path):
    db = tmp_path / "shared.db"
    proc, job_id = _child(db)
    other = JobQueue(Store.open(db))
    try:
        _wait_running(other, job_id)
        other.cancel(job_id)
        assert proc.stdout.readline().strip() == "cancelled"
        assert proc.wait(20) == 0
        assert other.status(job_id).state == "cancelled"
    finally:
        if proc.poll() is None:
            proc.kill()
        other.shutdown()


def test_a_late_finish_of_a_given_up_attempt_does_not_overwrite(tmp_path):
    from core.jobs.table import JobTable

    table = JobTable(Store.open(tmp_path / "jobs.db"), "celery")
    job_id = table.insert("noop", {}, "me:1")
    first = table.claim(job_id, "a:1")
    assert table.claim(job_id, "b:2") is None  # a duplicate message cannot claim it twice
    table.sweep_stale(0.0, 3, retry=lambda _id: None)  # first attempt given up, job re-queued
    second = table.claim(job_id, "b:2")
    assert (first, second) == (1, 2)
    assert table.finish(job_id, "done", attempt=second, result={"by": "b"})
    assert not table.finish(job_id, "done", attempt=first, result={"by": "a"})
    assert json.loads(table.row(job_id)["result_json"]) == {"by": "b"}


def test_the_cli_submits_and_watches(settings, capsys):
    from core.cli import main

    assert main(["jobs", "submit", "noop", "--payload", '{"k": 2}', "--wait", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["backend"] == "inprocess" and out["result"] == {"k": 2}
    assert main(["jobs", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["jobs"][0]["id"] == out["job_id"] and listed["jobs"][0]["state"] == "done"
    assert main(["jobs", "submit", "nope"]) == 2
    assert "No handler" in capsys.readouterr().err


def test_the_worker_command_refuses_the_in_process_backend(capsys):
    from core.cli import main

    assert main(["worker"]) == 2
    assert "HERALD_QUEUE=celery" in capsys.readouterr().err


def test_socket_helper_gives_a_closed_port():
    port = free_port()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
        pass


def test_health_shows_the_queue_and_a_dead_redis(settings, monkeypatch):
    from core.health import check_health

    report = check_health(build_services(settings))
    jobs = {c.name: c for c in report.components if c.kind == "jobs"}
    assert jobs["queue: in-process"].available and "0 queued" in jobs["queue: in-process"].detail
    assert "result cache: sqlite" in jobs
    monkeypatch.setenv("HERALD_QUEUE", "celery")
    monkeypatch.setenv("HERALD_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    report = check_health(build_services(load_settings()))
    jobs = {c.name: c for c in report.components if c.kind == "jobs"}
    assert not jobs["queue: celery"].available
    assert any("Redis" in p and "unreachable" in p for p in report.problems)
