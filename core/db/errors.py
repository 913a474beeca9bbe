"""Errors of the database layer; each message names the fix."""

from __future__ import annotations

from core.errors import HeraldError

__all__ = ["DatabaseUnavailableError"]


class DatabaseUnavailableError(HeraldError):
    """The database server refused or dropped the connection."""
