"""Benchmark: load and aggregate 1,000,000 realistic events, next to a plain pandas.read_json of the same file.

Run: `.venv/bin/python bench/metrics.py [--events N] [--keep DIR]`. Prints, for
one generated log (the pipeline's steps, ratings, rewards and renders, spread
over 30 days):

- plain `pandas.read_json(path, lines=True)` (the baseline),
- Herald's cold load (parse + type + sort + write the cache),
- the whole dashboard's data cold (`core.dashboard.build_dashboard`: load, every aggregate, drift),
- a cached reload from disk (a new process's first read) and from memory,
- the dashboard's data again with the frame cached.

Targets: dashboard data under 3 s for 1M events on 2 cores, at least as fast as
the plain pandas read, a cached reload under 0.2 s.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


CPU: dict[str, float] = {}


def _timed(fn, label: str = ""):
    """(result, wall seconds); process CPU seconds go to CPU[label] (a busy machine inflates wall time)."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    CPU[label] = time.process_time() - cpu
    return out, time.perf_counter() - start


def main() -> int:
    """Write the log, time every path, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="about this many events")
    parser.add_argument(
        "--keep", default="", help="keep the generated log in this folder (reused if present)"
    )
    args = parser.parse_args()

    import pandas as pd

    from core.dashboard import DashboardQuery, build_dashboard
    from core.services import build_services
    from tests.eventgen import generate_events, write_events
    from utils.metrics import clear_memory_cache, flush_cache_writes, load_events
    from utils.settings import load_settings

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="herald-bench-metrics-"))
    logs, data = base / "logs", base / "data"
    log = logs / "events.jsonl"
    if not log.exists():
        posts = max(1, int(args.events / 8.3))
        events, secs = _timed(lambda: generate_events(posts, span_h=24 * 30, seed=0))
        write_events(log, events)
        print(f"wrote {len(events):,} events ({log.stat().st_size / 1e6:,.0f} MB) in {secs:.1f} s")
        del events
    size_mb = log.stat().st_size / 1e6
    settings = load_settings({"HERALD_DATA_DIR": str(data), "HERALD_LOG_DIR": str(logs)})
    services = build_services(settings)
    cache = settings.data_dir / "cache" / "metrics"
    for p in cache.glob("*.arrow"):
        p.unlink()

    def load():
        return load_events(logs, cache_dir=cache, max_bytes=settings.metrics_max_bytes)

    def dashboard():
        return build_dashboard(services, DashboardQuery(), record=False)

    # warm imports (pyarrow, scipy.stats, the agent) so that neither side pays for them
    empty = base / "empty"
    build_dashboard(
        build_services(
            load_settings({"HERALD_DATA_DIR": str(empty / "data"), "HERALD_LOG_DIR": str(empty / "logs")})
        ),
        DashboardQuery(),
        record=False,
    )
    pd.read_json(__import__("io").StringIO('{"a": 1}\n'), lines=True)

    plain, t_plain = _timed(lambda: pd.read_json(log, lines=True), "plain")
    n_plain = len(plain)
    del plain
    clear_memory_cache()
    loaded, t_cold = _timed(load, "cold")
    flush_cache_writes()
    for p in cache.glob("*.arrow"):
        p.unlink()
    clear_memory_cache()
    dash, t_dash_cold = _timed(dashboard, "dash")
    flush_cache_writes()  # the cache is written in the background; a new process finds it on disk
    clear_memory_cache()
    disk, t_disk = _timed(load, "disk")
    _, t_mem = _timed(load, "mem")
    _, t_dash_warm = _timed(dashboard, "warm")

    n = loaded.report.events
    print(f"\n{n:,} events, {size_mb:,.0f} MB, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"{'':<44} {'wall':>8}  {'CPU':>8}")
    rows = [
        ("plain pandas.read_json(lines=True)", t_plain, "plain", f"({n_plain:,} rows, untyped)"),
        (
            "Herald load, cold (parse, type, sort)",
            t_cold,
            "cold",
            f"{t_plain / t_cold:.1f}x faster than plain",
        ),
        ("dashboard data, cold (load + aggregates)", t_dash_cold, "dash", "target < 3 s"),
        ("cached reload from disk (new process)", t_disk, "disk", f"target < 0.2 s ({disk.report.source})"),
        ("cached reload from memory", t_mem, "mem", ""),
        ("dashboard data, frame cached", t_dash_warm, "warm", ""),
    ]
    for label, wall, key, note in rows:
        print(f"{label:<44} {wall:7.3f}s  {CPU[key]:7.3f}s   {note}")
    print("(CPU = this process's CPU seconds; on a busy machine wall time is inflated by other processes)")
    print(
        f"drift results: {len(dash.drift.results)}, breaches: {len(dash.drift.breaches)}; {loaded.report.summary()}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
