"""Benchmark: ratings and versions written per second by 4 concurrent writer processes, SQLite vs PostgreSQL.

Each writer process opens its own `Store` and, until the deadline, alternates
one rating and one new version on one of 20 shared items (each write is one
transaction, as the app does it). The same run is made on a SQLite file (WAL,
BEGIN IMMEDIATE) and on PostgreSQL (a temporary server started with Debian's
binaries through tests/pg.py, or `--url`); rows are counted afterwards so the
figure is what landed, not what was attempted.

Run: .venv/bin/python bench/store.py [--seconds 10] [--writers 4] [--url postgresql://...]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.store import Store  # noqa: E402

ITEMS = 20


def writer(target: str, items: list[int], seconds: float, seed: int) -> int:
    """Write ratings and versions alternately until the deadline; return the number written."""
    store = Store.open(target)
    n, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        item_id = items[(seed * 7 + n) % len(items)]
        if n % 2:
            with store.transaction() as conn:  # the conn-level writer core.gate uses, without the checks
                store.insert_version(conn, item_id, f"w{seed} #{n}", None, "edit", None, "", "active")
        else:
            store.add_rating(item_id, stars=1 + n % 5, user=f"w{seed}")
        n += 1
    store.close()
    return n


def run(target: str, writers: int, seconds: float) -> tuple[float, float, int]:
    """(ratings/s, versions/s, rows reported by writers) for one backend."""
    store = Store.open(target)
    items = []
    for i in range(ITEMS):
        with store.transaction() as conn:
            item_id = store.insert_item(conn, "post", f"post {i}", None, "bench")
            store.insert_version(conn, item_id, f"post {i}", None, "generated", None, "", "active")
        items.append(item_id)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        done = pool.starmap(writer, [(target, items, seconds, s) for s in range(writers)])
    row = store.query(
        "SELECT (SELECT COUNT(*) FROM ratings) AS r, (SELECT COUNT(*) FROM versions) AS v",
    )[0]
    return row["r"] / seconds, (row["v"] - ITEMS) / seconds, sum(done) - (row["r"] + row["v"] - ITEMS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument(
        "--url", default="", help="a PostgreSQL database to use (default: a temporary server)"
    )
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = run(str(Path(tmp) / "bench.db"), args.writers, args.seconds)
    server = None
    url = args.url
    if not url:
        from tests.pg import create_database, start_postgres

        server = start_postgres()
        url = create_database(server)
    try:
        results["postgresql"] = run(url, args.writers, args.seconds)
    finally:
        if server is not None:
            from tests.pg import stop_postgres

            stop_postgres(server)
    print(f"{args.writers} writer processes, {args.seconds:.0f} s each, one transaction per write")
    print(f"{'backend':<12}{'ratings/s':>12}{'versions/s':>12}{'total/s':>10}{'lost':>6}")
    for name, (r, v, lost) in results.items():
        print(f"{name:<12}{r:>12.1f}{v:>12.1f}{r + v:>10.1f}{lost:>6}")
    base = sum(results["sqlite"][:2])
    print(f"PostgreSQL / SQLite throughput: {sum(results['postgresql'][:2]) / base:.2f}x")


if __name__ == "__main__":
    main()
