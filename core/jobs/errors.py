"""Errors of the job queue; each message names the fix."""

from __future__ import annotations

from core.errors import HeraldError, InvalidInputError

__all__ = [
    "JobFailedError",
    "JobCancelledError",
    "JobNotFinishedError",
    "UnknownJobKindError",
    "QueueUnavailableError",
    "QueueConfigError",
]


class JobFailedError(HeraldError):
    """The job raised an error; the message is the job's error."""


class JobCancelledError(HeraldError):
    """The job was cancelled before it finished."""


class JobNotFinishedError(HeraldError):
    """The job is still queued or running; poll `status` and ask again."""


class UnknownJobKindError(InvalidInputError):
    """No handler is registered for this job kind."""


class QueueUnavailableError(HeraldError):
    """The configured queue (Redis) cannot be reached; nothing was queued."""


class QueueConfigError(HeraldError):
    """HERALD_QUEUE / HERALD_REDIS_URL are inconsistent."""
