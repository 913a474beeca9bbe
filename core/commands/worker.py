"""`python -m core worker [--concurrency N] [--loglevel L]`: run a Celery worker for Herald's jobs.

Needs `HERALD_QUEUE=celery` and `HERALD_REDIS_URL`; the app and the other
commands only submit and watch. Blocks until stopped (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

from typing import Any

from utils.settings import load_settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `worker` sub-command."""
    p = subparsers.add_parser("worker", help="run a job worker (Celery, needs HERALD_QUEUE=celery)")
    p.add_argument(
        "--concurrency", type=int, default=None, help="jobs at once (default HERALD_WORKER_CONCURRENCY=1)"
    )
    p.add_argument("--loglevel", default="INFO", help="Celery log level (default INFO)")
    p.add_argument("--name", default="", help="worker node name (default herald-PID@HOST)")
    p.set_defaults(func=run)


def run(args: Any) -> int:
    """Start the worker; returns when it stops."""
    from core.jobs.worker import run_worker

    return run_worker(load_settings(), concurrency=args.concurrency, loglevel=args.loglevel, name=args.name)
