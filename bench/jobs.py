"""Benchmark: the job queue's two backends side by side, and renders on 1 vs 2 workers.

1. No-op jobs (`noop` kind, nothing to do) through the in-process backend (one
   thread, the default) and through Celery + a real redis-server + one
   `python -m core worker`: jobs per second (submit of the first to finish of
   the last) and p50/p95 queue latency (submitted -> started, as stored in the
   jobs table), and the ratio celery / in-process.
2. Eight short tiny renders (3 scenes, 320x180, 8 fps, no voice: a few seconds
   each, not production renders) through Celery with 1 worker, then 2 workers:
   wall time of the batch and the speed-up.
Uses a temporary data folder and a redis-server on a free port (Debian package
`redis-server`; `make system-deps`). Run: .venv/bin/python bench/jobs.py [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from core.jobs import job_queue  # noqa: E402
from core.services import build_services  # noqa: E402
from tests.services import RedisServer, redis_missing_reason, start_worker  # noqa: E402
from utils.settings import load_settings  # noqa: E402

SCRIPT = "Herald turns a project into a post\nEvery claim is checked against the files\nVideos render fast"


def _p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _latencies(services, ids: list[str]) -> list[float]:
    marks = ",".join("?" for _ in ids)
    rows = services.store.query(
        f"SELECT submitted_ts, started_ts FROM jobs WHERE id IN ({marks})", tuple(ids)
    )
    return [(r["started_ts"] - r["submitted_ts"]) * 1000 for r in rows]


def noop_run(services, n: int, n_single: int) -> dict[str, float]:
    """A burst of n no-op jobs (jobs/s, latency including the backlog), then n_single one at a time."""
    queue = job_queue(services)
    queue.wait(queue.submit("noop", {}), timeout=60)  # warm-up: imports, connections
    started = time.perf_counter()
    ids = [queue.submit("noop", {"i": i}) for i in range(n)]
    for job_id in ids:
        status = queue.wait(job_id, timeout=300)
        assert status.state == "done", status
    wall = time.perf_counter() - started
    burst = _latencies(services, ids)
    single_ids = []
    for i in range(n_single):
        job_id = queue.submit("noop", {"i": i})
        queue.wait(job_id, timeout=60)
        single_ids.append(job_id)
    single = _latencies(services, single_ids)
    return {
        "jobs_per_s": n / wall,
        "burst_p95_ms": _p(burst, 0.95),
        "p50_ms": statistics.median(single),
        "p95_ms": _p(single, 0.95),
    }


def render_run(services, n: int) -> float:
    """Submit n tiny renders and return the wall time until all are done."""
    from core.video import VideoOptions
    from core.video.service import submit_render

    options = VideoOptions(size=(320, 180), fps=8)
    out = Path(services.settings.data_dir) / "bench-videos"
    queue = job_queue(services)
    started = time.perf_counter()
    ids = [submit_render(services, f"{SCRIPT}\nRender {i}", options, out_dir=out) for i in range(n)]
    for job_id in ids:
        status = queue.wait(job_id, timeout=900)
        assert status.state == "done", status
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=300, help="no-op jobs per backend")
    parser.add_argument("--single", type=int, default=50, help="no-op jobs submitted one at a time")
    parser.add_argument("--renders", type=int, default=8)
    args = parser.parse_args()
    reason = redis_missing_reason()
    if reason:
        print(f"skipped: {reason}")
        return 0
    with tempfile.TemporaryDirectory(prefix="herald-bench-jobs-") as tmp:
        base = Path(tmp)
        os.environ["HERALD_DATA_DIR"] = str(base / "data")
        os.environ["HERALD_LOG_DIR"] = str(base / "logs")
        os.environ.pop("HERALD_QUEUE", None)
        load_before = os.getloadavg()[0]
        inproc = build_services(load_settings())
        local = noop_run(inproc, args.jobs, args.single)
        job_queue(inproc).shutdown()

        redis = RedisServer(base / "redis").start()
        workers = []
        try:
            os.environ.update(HERALD_QUEUE="celery", HERALD_REDIS_URL=redis.url)
            env = dict(os.environ)
            celery = build_services(load_settings())
            workers.append(start_worker(env, base / "workers", name="w1"))
            remote = noop_run(celery, args.jobs, args.single)

            print(f"load average before: {load_before:.1f} (cores: {os.cpu_count()})")
            print(
                f"no-op jobs, one worker (thread / process) per backend: a burst of {args.jobs} "
                f"(jobs/s, p95 latency with the backlog), then {args.single} one at a time (idle latency)"
            )
            print(f"{'backend':<12} {'jobs/s':>8} {'burst p95':>10} {'idle p50':>9} {'idle p95':>9}  (ms)")
            for name, r in (("in-process", local), ("celery", remote)):
                print(
                    f"{name:<12} {r['jobs_per_s']:>8.1f} {r['burst_p95_ms']:>10.1f} "
                    f"{r['p50_ms']:>9.1f} {r['p95_ms']:>9.1f}"
                )
            print(
                f"ratio celery / in-process: throughput {remote['jobs_per_s'] / local['jobs_per_s']:.2f}x, "
                f"idle p95 latency {remote['p95_ms'] / max(local['p95_ms'], 1e-9):.1f}x"
            )

            render_run(celery, 1)  # warm-up: the worker imports the video stack once
            one = render_run(celery, args.renders)
            workers.append(start_worker(env, base / "workers", name="w2"))
            render_run(celery, 2)  # warm the second worker too
            two = render_run(celery, args.renders)
            print(f"\n{args.renders} tiny renders (3 scenes, 320x180, 8 fps, no voice) through Celery:")
            print(f"1 worker  {one:6.1f} s")
            print(f"2 workers {two:6.1f} s   speed-up {one / two:.2f}x (cores: {os.cpu_count()})")
            print(f"load average after: {os.getloadavg()[0]:.1f}")
        finally:
            for w in workers:
                w.stop()
            redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
