"""Errors raised by `core`; each message names the fix."""

from __future__ import annotations

__all__ = [
    "HeraldError",
    "NotFoundError",
    "InvalidInputError",
    "ExportRefusedError",
    "ConflictError",
    "PermissionDeniedError",
]


class HeraldError(Exception):
    """Base class for every error Herald reports to a user."""


class NotFoundError(HeraldError):
    """An item, version or job id that does not exist."""


class InvalidInputError(HeraldError):
    """A value a user gave is out of range or malformed."""


class ExportRefusedError(HeraldError):
    """The item may not be exported (for example, a reviewer rejected it)."""


class ConflictError(HeraldError):
    """Someone else changed the item first (two reviewers at once); reload and act again."""


class PermissionDeniedError(HeraldError):
    """The acting user's roles do not allow the action; the message names the role needed."""
