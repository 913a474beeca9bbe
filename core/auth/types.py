"""Who acts: the frozen `User`, the four roles, and the checks on names and roles.

A `User` is what every permission check receives, whatever signed it in (a
local password, an OIDC identity provider, an API token, or single-user mode).
This module stores nothing and knows no policy (see `policy.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InvalidInputError

__all__ = [
    "User",
    "ROLES",
    "USER_KINDS",
    "LOCAL_USER",
    "acting",
    "signed_in_name",
    "check_name",
    "check_roles",
]

ROLES = ("creator", "reviewer", "analyst", "admin")
USER_KINDS = ("local", "oidc", "token", "single-user")
# Letters, digits and . _ @ - only: no SQL, HTML or shell metacharacters ever reach a page or a log.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True)
class User:
    """A signed-in person (or the single local user) and the roles they hold."""

    name: str
    roles: tuple[str, ...]
    kind: str = "local"  # local | oidc | token | single-user

    def has(self, role: str) -> bool:
        """True when the user holds `role` (admins hold every role)."""
        return role in self.roles or "admin" in self.roles

    @property
    def label(self) -> str:
        """`name (role, role)` for the sidebar and the audit view."""
        return f"{self.name} ({', '.join(self.roles) or 'no role'})"


LOCAL_USER = User(name="local", roles=ROLES, kind="single-user")


def acting(user: User | None) -> User:
    """The acting user: `user`, or the single local user when a caller gave none."""
    return user if user is not None else LOCAL_USER


def signed_in_name(user: User | None) -> str:
    """The name to store as the actor: a signed-in user's own, '' for nobody or the single local user."""
    return user.name if user is not None and user.kind != "single-user" else ""


def check_name(name: str) -> str:
    """The user name, or `InvalidInputError` naming the allowed characters."""
    value = (name or "").strip()
    if not _NAME.match(value):
        raise InvalidInputError(
            "A user name is 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        )
    return value


def check_roles(roles: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Known roles, de-duplicated in ROLES order; `InvalidInputError` for an unknown or empty list."""
    wanted = {str(r).strip().lower() for r in roles if str(r).strip()}
    unknown = sorted(wanted - set(ROLES))
    if unknown:
        raise InvalidInputError(f"Unknown role {', '.join(unknown)}: use {', '.join(ROLES)}")
    if not wanted:
        raise InvalidInputError(f"Give at least one role: {', '.join(ROLES)}")
    return tuple(r for r in ROLES if r in wanted)
