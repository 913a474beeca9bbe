"""Errors of batches and schedules; each message names the fix."""

from __future__ import annotations

from core.errors import InvalidInputError

__all__ = ["BatchInputError", "ScheduleError"]


class BatchInputError(InvalidInputError):
    """The list of sources cannot be read at all (no file, no rows, a CSV without a source column)."""


class ScheduleError(InvalidInputError):
    """A schedule, start date or time zone that cannot be read."""
