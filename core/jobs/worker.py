"""`python -m core worker`: one Celery worker process for Herald's jobs.

It consumes the `herald` queue from `HERALD_REDIS_URL`, runs jobs of every
registered kind, and every few seconds sweeps jobs whose worker died
(stale heartbeat) so they are retried or marked failed. The default pool is
`solo` (one job at a time, a kill -9 loses only that job); `--concurrency N`
above 1 switches to the prefork pool with N child processes.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from core.jobs.celery_backend import QUEUE_NAME, CeleryQueue, make_celery_app, redact_url
from core.jobs.errors import QueueConfigError

__all__ = ["run_worker", "worker_argv"]

LOG = logging.getLogger(__name__)


def worker_argv(concurrency: int, loglevel: str, name: str) -> list[str]:
    """The Celery command line for one worker."""
    pool = ["--pool=solo"] if concurrency <= 1 else ["--pool=prefork", f"--concurrency={concurrency}"]
    return [
        "worker",
        *pool,
        f"--loglevel={loglevel}",
        "-Q",
        QUEUE_NAME,
        "-n",
        name,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def _sweeper(queue: CeleryQueue, stop: threading.Event) -> None:
    interval = max(0.5, queue.settings.job_stale_s / 3)
    while not stop.wait(interval):
        try:
            for job_id, outcome in queue.sweep():
                LOG.warning("job %s: its worker stopped; %s", job_id, outcome)
        except Exception as exc:  # Redis or the database restarting: try again next round
            LOG.warning("stale-job sweep failed: %s", exc)


def run_worker(
    settings: Any, *, concurrency: int | None = None, loglevel: str = "INFO", name: str = ""
) -> int:
    """Start a worker in this process and block until it stops (Ctrl-C or SIGTERM)."""
    import os
    import socket

    from celery import signals

    from core.store import Store

    if settings.queue_backend != "celery":
        raise QueueConfigError(
            "A worker runs jobs of the Celery backend: set HERALD_QUEUE=celery and HERALD_REDIS_URL "
            "(the in-process backend runs jobs inside the app and needs no worker)"
        )
    app = make_celery_app(settings)
    store = Store.open(settings.database_target)  # the shared PostgreSQL when HERALD_DATABASE_URL is set
    queue = CeleryQueue(store, settings, app=app)
    stop = threading.Event()

    @signals.worker_ready.connect(weak=False)
    def _start_sweeper(**_: Any) -> None:
        threading.Thread(target=_sweeper, args=(queue, stop), name="herald-sweeper", daemon=True).start()

    LOG.info("Herald worker on %s", redact_url(settings.redis_url))
    n = concurrency or settings.worker_concurrency
    try:
        app.worker_main(worker_argv(n, loglevel, name or f"herald-{os.getpid()}@{socket.gethostname()}"))
    finally:
        stop.set()
    return 0
