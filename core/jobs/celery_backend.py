"""The team backend: Celery workers fed through Redis (`HERALD_QUEUE=celery`, `HERALD_REDIS_URL`).

A message carries only the job id; kind, payload, state, progress, result and
the cancel flag live in the shared `jobs` table (the database every worker
and app process opens), so Redis holds nothing that cannot be rebuilt. The
Celery settings that make a killed worker safe: `task_acks_late` (a message is
acknowledged only after its job finished), `task_reject_on_worker_lost`, a
prefetch of one, and a visibility timeout after which Redis hands an
unacknowledged message to another worker. Since a render can outlast any
sensible visibility timeout, workers also sweep jobs whose heartbeat went
stale and re-send them themselves (at most `job_max_attempts` tries, then
failed with the reason). A duplicate message is harmless: only one claim of a
queued job succeeds. Celery and redis-py are imported only here, lazily.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from core.jobs.errors import QueueConfigError, QueueUnavailableError
from core.jobs.inprocess import check_payload, result_of, wait_for
from core.jobs.model import JobStatus
from core.jobs.registry import get_job_kind
from core.jobs.runner import Heartbeat, run_job
from core.jobs.table import JobTable, owner_name
from core.store import Store

__all__ = ["CeleryQueue", "make_celery_app", "redact_url", "TASK_NAME", "QUEUE_NAME"]

LOG = logging.getLogger(__name__)
TASK_NAME = "herald.run_job"
QUEUE_NAME = "herald"
BACKEND = "celery"

_WORKER: dict[str, Any] = {}
_WORKER_LOCK = threading.Lock()


def redact_url(url: str) -> str:
    """The URL without its password, for messages."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def _fix_hint(url: str) -> str:
    return (
        f"Redis at {redact_url(url)} is not reachable: start it (`redis-server`, or "
        "`docker compose up -d redis`), fix HERALD_REDIS_URL, or unset HERALD_QUEUE to run jobs "
        "in-process. Nothing was queued"
    )


def make_celery_app(settings: Any) -> Any:
    """A Celery app for these settings, with Herald's one task registered."""
    from celery import Celery

    if not settings.redis_url:
        raise QueueConfigError("HERALD_QUEUE=celery needs HERALD_REDIS_URL (e.g. redis://localhost:6379/0)")
    app = Celery("herald", broker=settings.redis_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=QUEUE_NAME,
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options={
            "visibility_timeout": int(settings.job_visibility_s),
            "socket_connect_timeout": 3,
            "socket_timeout": 10,
        },
        broker_connection_retry=True,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        enable_utc=True,
    )

    @app.task(name=TASK_NAME, bind=True, acks_late=True, ignore_result=True, max_retries=60)
    def _run(task: Any, job_id: str) -> str:  # runs in the worker process
        try:
            return run_in_worker(job_id)
        except Exception as exc:  # the database was unreachable (handler errors never get here)
            LOG.warning("job %s could not be claimed or finished (%s); retrying the message", job_id, exc)
            raise task.retry(exc=exc, countdown=min(30, 2 ** min(task.request.retries, 5))) from exc

    return app


def _worker_parts() -> dict[str, Any]:
    """This worker process's services, table and heartbeat (built on first task, after any fork)."""
    with _WORKER_LOCK:
        if not _WORKER:
            from core.services import build_services
            from utils.settings import load_settings

            services = build_services(load_settings())
            table = JobTable(services.store, BACKEND)
            _WORKER.update(
                services=services,
                table=table,
                heartbeat=Heartbeat(table, services.settings.job_heartbeat_s),
                owner=owner_name(),
            )
        return _WORKER


def run_in_worker(job_id: str) -> str:
    """Run one job in this worker process (the Celery task's body)."""
    parts = _worker_parts()
    outcome = run_job(
        parts["table"],
        job_id,
        parts["owner"],
        get_job_kind,
        parts["heartbeat"],
        services=parts["services"],
        events=parts["services"].events,
    )
    LOG.info("job %s: %s", job_id, outcome)
    return outcome


class CeleryQueue:
    """Celery backend: submit publishes to Redis; status, cancel and results go through the table."""

    backend = BACKEND

    def __init__(self, store: Store, settings: Any, *, app: Any = None):
        self.store = store
        self.settings = settings
        self.table = JobTable(store, BACKEND)
        self.owner = owner_name()
        self.app = app or make_celery_app(settings)

    def ping(self) -> None:
        """Raise QueueUnavailableError unless Redis answers within a few seconds."""
        import redis

        try:
            client = redis.Redis.from_url(self.settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
        except (redis.RedisError, OSError, ValueError) as exc:
            raise QueueUnavailableError(f"{_fix_hint(self.settings.redis_url)} ({exc})") from exc

    def publish(self, job_id: str) -> None:
        """Send the job's message to the workers' queue (no retries: a failure is reported)."""
        from kombu.exceptions import OperationalError

        try:
            self.app.send_task(TASK_NAME, args=[job_id], queue=QUEUE_NAME, retry=False)
        except (OperationalError, OSError) as exc:
            raise QueueUnavailableError(f"{_fix_hint(self.settings.redis_url)} ({exc})") from exc

    def submit(self, kind: str, payload: dict[str, Any]) -> str:
        """Store a queued job, publish it, and return its id; Redis down: an error, nothing queued."""
        get_job_kind(kind)
        check_payload(payload)
        self.ping()
        job_id = self.table.insert(kind, payload, self.owner)
        try:
            self.publish(job_id)
        except QueueUnavailableError as exc:
            self.table.finish(job_id, "failed", error=f"not queued: {exc}")
            raise
        return job_id

    def status(self, job_id: str) -> JobStatus:
        """The job's current state; raises NotFoundError for an unknown id."""
        return self.table.status(job_id)

    def result(self, job_id: str, *, timeout: float | None = None) -> Any:
        """The job's JSON result; waits up to `timeout` seconds when given."""
        return result_of(self, self.table, job_id, timeout)

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job finishes (or `timeout` passes) and return its status."""
        return wait_for(self, job_id, timeout, poll_s=0.1)

    def cancel(self, job_id: str) -> JobStatus:
        """Cancel: a queued job is dropped at once, a running one stops at its worker's next heartbeat."""
        if not self.status(job_id).finished:
            self.table.request_cancel(job_id)
        return self.status(job_id)

    def list(self, *, kind: str | None = None, limit: int = 50) -> list[JobStatus]:
        """Recent jobs, newest first."""
        return self.table.list(kind=kind, limit=limit)

    def sweep(self) -> list[tuple[str, str]]:
        """Re-send (or fail) running jobs whose worker stopped; return (id, outcome) pairs."""
        return self.table.sweep_stale(
            self.settings.job_stale_s, self.settings.job_max_attempts, retry=self.publish
        )

    def shutdown(self, *, wait: bool = True, cancel_running: bool = False) -> None:
        """Nothing runs in this process; the broker connections are pooled by kombu and reused."""
