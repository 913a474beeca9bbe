"""Errors of sign-in; each message names the fix and never says which part was wrong."""

from __future__ import annotations

from core.errors import HeraldError, PermissionDeniedError

__all__ = [
    "AuthError",
    "SignInFailedError",
    "AccountLockedError",
    "SessionExpiredError",
    "PermissionDeniedError",
]


class AuthError(HeraldError):
    """Base class of sign-in errors (the API answers 401)."""


class SignInFailedError(AuthError):
    """Wrong name, wrong password or an unknown token: the message never says which."""


class AccountLockedError(AuthError):
    """Too many failed sign-ins in a row: wait, or ask an admin to reset the password."""


class SessionExpiredError(AuthError):
    """The session is older than HERALD_SESSION_TTL_MIN, or its user was removed: sign in again."""
