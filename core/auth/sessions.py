"""Sessions that expire: a random id held by the browser, stored only as its digest.

A session lasts HERALD_SESSION_TTL_MIN minutes from sign-in. For a local
account the roles are read again from `users` on every check, so removing a
user or changing their roles takes effect at once; an OIDC session keeps the
roles mapped at sign-in. Sign-out deletes the row.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

from core.auth.accounts import token_digest
from core.auth.audit import record_audit
from core.auth.errors import SessionExpiredError
from core.auth.types import User
from core.store import Store
from utils.settings import Settings

__all__ = ["start_session", "session_user", "end_session"]

EXPIRED = "Your session has expired or was ended: sign in again"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def start_session(store: Store, settings: Settings, user: User, *, now: datetime | None = None) -> str:
    """A new session id for `user` (keep it in the browser session only)."""
    now = now or datetime.now(UTC)
    session_id = secrets.token_urlsafe(32)
    expires = now + timedelta(minutes=settings.session_ttl_min)
    with store.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE expires_at < ?", (_iso(now),))
        conn.execute(
            "INSERT INTO sessions(id_hash, user_name, kind, roles_json, created_at, expires_at) VALUES (?,?,?,?,?,?)",
            (
                token_digest(session_id),
                user.name,
                user.kind,
                json.dumps(list(user.roles)),
                _iso(now),
                _iso(expires),
            ),
        )
    return session_id


def session_user(store: Store, session_id: str, *, now: datetime | None = None) -> User:
    """The session's user; `SessionExpiredError` when it expired, ended, or its account is gone."""
    now = now or datetime.now(UTC)
    rows = store.query("SELECT * FROM sessions WHERE id_hash = ?", (token_digest(session_id or ""),))
    if not rows or datetime.fromisoformat(rows[0]["expires_at"]) <= now:
        raise SessionExpiredError(EXPIRED)
    row = rows[0]
    roles = tuple(json.loads(row["roles_json"]))
    if row["kind"] == "local":
        account = store.query("SELECT roles_json FROM users WHERE name = ?", (row["user_name"],))
        if not account:
            raise SessionExpiredError(EXPIRED)
        roles = tuple(json.loads(account[0]["roles_json"]))
    return User(name=row["user_name"], roles=roles, kind=row["kind"])


def end_session(store: Store, session_id: str, user: User | None = None) -> None:
    """Sign out: delete the session; audited."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE id_hash = ?", (token_digest(session_id or ""),))
        if user is not None:
            record_audit(conn, user, "signout", user.name)
