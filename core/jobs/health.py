"""The job queue and result cache as the Health page shows them: backend, Redis, jobs waiting.

`queue_health(settings, store)` returns (name, available, detail) rows and the
problems worth a banner (Celery configured but Redis unreachable). It pings
Redis with a short timeout and counts jobs; it starts nothing.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["queue_health"]


def _redis_ok(url: str) -> tuple[bool, str]:
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # any failure is the answer
        return False, f"{type(exc).__name__}: {str(exc)[:160]}"
    return True, ""


def queue_health(settings: Any, store: Any) -> tuple[list[tuple[str, bool, str]], list[str]]:
    """Rows (name, available, detail) for the queue and the cache, and problems to show."""
    from core.jobs.celery_backend import redact_url

    rows: list[tuple[str, bool, str]] = []
    problems: list[str] = []
    backend = (settings.queue_backend or "inprocess").strip().lower()
    counts = {
        r["state"]: r["n"]
        for r in store.query(
            "SELECT state, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running') GROUP BY state"
        )
    }
    fresh = store.query(
        "SELECT COUNT(DISTINCT owner) AS n FROM jobs WHERE state = 'running' AND heartbeat_at > ?",
        (time.time() - settings.job_stale_s,),
    )[0]["n"]
    waiting = (
        f"{counts.get('queued', 0)} queued, {counts.get('running', 0)} running on {fresh} live worker(s)"
    )
    if backend == "celery":
        if not settings.redis_url:
            rows.append(("queue: celery", False, "HERALD_REDIS_URL is not set"))
            problems.append("HERALD_QUEUE=celery needs HERALD_REDIS_URL; jobs cannot be submitted")
        else:
            ok, why = _redis_ok(settings.redis_url)
            rows.append(("queue: celery", ok, f"Redis {redact_url(settings.redis_url)}; {why or waiting}"))
            if not ok:
                problems.append(
                    f"Redis at {redact_url(settings.redis_url)} is unreachable: start it or fix HERALD_REDIS_URL"
                )
    else:
        rows.append(("queue: in-process", True, f"{settings.render_workers} thread(s) in the app; {waiting}"))
    if settings.redis_url:
        ok, why = _redis_ok(settings.redis_url)
        rows.append(("result cache: redis", ok, why or "shared by every worker"))
    else:
        rows.append(("result cache: sqlite", True, str(settings.data_dir / "cache.db")))
    return rows, problems
