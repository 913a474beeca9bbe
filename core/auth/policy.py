"""Permissions in one place: `can(user, action, item)` and `require(user, action, item)`.

Every caller (pages, the CLI, the API, core functions) asks here, so they cannot
diverge. An action is a string from `ACTIONS`, mapped to the roles that may do
it; two rules need the item: a creator acts only on their own items, and nobody
reviews their own item (four eyes), except the single local user on a laptop.
That an export needs a passing item is `core.gate`'s rule, not this module's.
"""

from __future__ import annotations

from typing import Any

from core.auth.types import User
from core.errors import InvalidInputError, PermissionDeniedError

__all__ = ["ACTIONS", "PAGE_ACTIONS", "can", "require", "why_not"]

# action -> roles that may do it (admin may do everything, see `can`)
ACTIONS: dict[str, tuple[str, ...]] = {
    "post.create": ("creator",),
    "post.refine": ("creator",),
    "post.rate": ("creator",),
    "post.export": ("creator",),
    "post.restore": ("creator",),
    "video.render": ("creator",),
    "video.rate": ("creator",),
    "item.read": ("creator", "reviewer", "analyst"),
    "library.view": ("creator", "reviewer", "analyst"),
    "review.view": ("reviewer",),
    "review.act": ("reviewer",),
    "dashboard.view": ("analyst",),
    "metrics.view": ("analyst",),
    "report.export": ("analyst",),
    "health.view": (),
    "settings.change": (),
    "users.manage": (),
    "audit.view": (),
}
# page -> the action its `require` asks for (app.py shows only pages a user can open)
PAGE_ACTIONS: dict[str, str] = {
    "create": "post.create",
    "plan": "post.create",
    "video": "video.render",
    "library": "library.view",
    "review": "review.view",
    "dashboard": "dashboard.view",
    "health": "health.view",
    "admin": "users.manage",
    "audit": "audit.view",
}
OWN_ITEM_ACTIONS = {"post.refine", "post.rate", "post.export", "post.restore", "video.render", "video.rate"}


def _owner(item: Any) -> str | None:
    if item is None:
        return None
    owner = item.get("created_by") if isinstance(item, dict) else getattr(item, "created_by", None)
    return None if owner is None else str(owner)


def why_not(user: User | None, action: str, item: Any = None) -> str:
    """Empty when `user` may do `action` (on `item`), else the reason naming the role needed."""
    if action not in ACTIONS:
        raise InvalidInputError(f"Unknown action {action!r}; known actions: {', '.join(ACTIONS)}")
    if user is None:
        return f"Sign in first: {action} needs a signed-in user"
    allowed = ACTIONS[action]
    needed = " or ".join((*allowed, "admin")) if allowed else "admin"
    if "admin" not in user.roles and not any(r in user.roles for r in allowed):
        return f"{action} needs the {needed} role; {user.name} has {', '.join(user.roles) or 'none'} (ask an admin)"
    owner = _owner(item)
    if user.kind == "single-user" or owner is None:
        return ""
    if action == "review.act" and owner == user.name:
        return f"{user.name} created this item: another reviewer must review it (no one reviews their own)"
    if action in OWN_ITEM_ACTIONS and owner != user.name and "admin" not in user.roles:
        return f"{action} on another creator's item needs the admin role (it belongs to {owner or 'nobody'})"
    return ""


def can(user: User | None, action: str, item: Any = None) -> bool:
    """True when `user` may do `action` (on `item`, when the rule depends on who owns it)."""
    return not why_not(user, action, item)


def require(user: User | None, action: str, item: Any = None) -> User:
    """Return `user` when allowed, else raise `PermissionDeniedError` naming the role needed."""
    reason = why_not(user, action, item)
    if reason:
        raise PermissionDeniedError(reason)
    assert user is not None
    return user
