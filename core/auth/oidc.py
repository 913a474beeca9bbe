"""Roles for identity-provider users: a mapping of e-mail or group to role.

`st.login` (OIDC, configured in `.streamlit/secrets.toml`) tells the page who
signed in; `user_from_claims` turns those claims into a `User` (kind "oidc")
with the roles the mapping grants. No role mapped: no access (the page says
which admin step is missing). Pages call `st.login`; this module never does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.auth.audit import record_audit
from core.auth.types import ROLES, User, check_roles
from core.errors import InvalidInputError
from core.store import Store
from utils.events import utc_now_iso

__all__ = ["RoleMapping", "add_mapping", "remove_mapping", "list_mappings", "user_from_claims"]

KINDS = ("email", "group")


@dataclass(frozen=True)
class RoleMapping:
    """One rule: users with this e-mail (or in this group) get this role."""

    id: int
    kind: str
    value: str
    role: str


def add_mapping(store: Store, kind: str, value: str, role: str, *, by: User | None = None) -> RoleMapping:
    """Add a rule e-mail/group -> role; audited."""
    kind, value = kind.strip().lower(), value.strip()
    if kind not in KINDS:
        raise InvalidInputError("A role mapping is by 'email' or by 'group'")
    if not value or len(value) > 200 or any(c in value for c in "<>\"'\n\r"):
        raise InvalidInputError(
            "Give the e-mail address or group name (at most 200 characters, no quotes or <>)"
        )
    (role,) = check_roles([role])
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO role_mappings(kind, value, role, created_at) VALUES (?, ?, ?, ?)",
            (kind, value, role, utc_now_iso()),
        )
        record_audit(conn, by, "mapping.add", f"{kind}:{value}", {"role": role})
    return next(
        m for m in list_mappings(store) if (m.kind, m.value.lower(), m.role) == (kind, value.lower(), role)
    )


def remove_mapping(store: Store, mapping_id: int, *, by: User | None = None) -> None:
    """Delete one rule; audited."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM role_mappings WHERE id = ?", (int(mapping_id),))
        record_audit(conn, by, "mapping.remove", str(mapping_id))


def list_mappings(store: Store) -> list[RoleMapping]:
    """Every rule, by kind and value."""
    rows = store.query("SELECT id, kind, value, role FROM role_mappings ORDER BY kind, value, role")
    return [RoleMapping(**r) for r in rows]


def user_from_claims(store: Store, claims: Mapping[str, Any]) -> User:
    """The OIDC user: name from the e-mail (or subject), roles from every matching rule."""
    email = str(claims.get("email") or "").strip().lower()
    groups = claims.get("groups") or []
    if isinstance(groups, str):
        groups = [groups]
    groups = {str(g).strip().lower() for g in groups}
    roles = set()
    for m in list_mappings(store):
        if (m.kind == "email" and m.value.lower() == email) or (
            m.kind == "group" and m.value.lower() in groups
        ):
            roles.add(m.role)
    name = email or str(claims.get("sub") or claims.get("name") or "oidc-user")
    return User(name=name[:100], roles=tuple(r for r in ROLES if r in roles), kind="oidc")
