"""Accounts and API tokens: add, list, remove users; sign in with a password or a token.

Passwords are argon2 hashes (`passwords.py`); a token is 32 random bytes shown
once and stored only as its sha256 digest (a token has full entropy, so a fast
digest is enough), matched with `hmac.compare_digest`. After
HERALD_LOCKOUT_FAILURES wrong passwords in a row an account is locked for
HERALD_LOCKOUT_MINUTES. Errors never say whether the name or the password was
wrong. Every change and every sign-in, failed or not, is audited in the same
transaction. Sessions are `sessions.py`'s job.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.auth.audit import record_audit
from core.auth.errors import AccountLockedError, SignInFailedError
from core.auth.passwords import hash_password, verify_password
from core.auth.types import User, check_name, check_roles
from core.errors import InvalidInputError, NotFoundError
from core.store import Store
from utils.events import utc_now_iso
from utils.settings import Settings

__all__ = [
    "Account",
    "TOKEN_PREFIX",
    "accounts_exist",
    "add_user",
    "list_users",
    "get_account",
    "remove_user",
    "set_roles",
    "set_password",
    "authenticate",
    "create_token",
    "user_for_token",
    "revoke_tokens",
    "token_digest",
]

TOKEN_PREFIX = "hrd_"
WRONG = "Wrong user name or password; check both and try again"
BAD_TOKEN = "The API token is not valid (revoked, its user removed, or mistyped): create one with `python -m core users token NAME`"


@dataclass(frozen=True)
class Account:
    """A stored account as an admin sees it (never the hash)."""

    name: str
    roles: tuple[str, ...]
    has_password: bool
    tokens: int
    locked_until: str | None
    failures: int
    created_at: str

    @property
    def user(self) -> User:
        """The account as the acting `User` of a password sign-in."""
        return User(name=self.name, roles=self.roles, kind="local")


def _now() -> datetime:
    return datetime.now(UTC)


def token_digest(token: str) -> str:
    """The sha256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def accounts_exist(store: Store) -> bool:
    """True once any account exists (single-user mode ends then)."""
    return bool(store.query("SELECT 1 FROM users LIMIT 1"))


def _valid_name(name: str) -> bool:
    try:
        check_name(name)
    except InvalidInputError:
        return False
    return True


def _row(store: Store, name: str) -> dict | None:
    rows = store.query("SELECT * FROM users WHERE name = ?", (name,))
    return rows[0] if rows else None


def _account(store: Store, row: dict) -> Account:
    count = store.query("SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = ?", (row["id"],))[0]["n"]
    return Account(
        name=row["name"],
        roles=tuple(json.loads(row["roles_json"] or "[]")),
        has_password=bool(row["password_hash"]),
        tokens=int(count),
        locked_until=row["locked_until"],
        failures=int(row["failures"]),
        created_at=row["created_at"],
    )


def get_account(store: Store, name: str) -> Account:
    """One account; `NotFoundError` naming how to list them."""
    row = _row(store, check_name(name))
    if row is None:
        raise NotFoundError(f"No user {name!r}; list users with `python -m core users list`")
    return _account(store, row)


def list_users(store: Store) -> list[Account]:
    """Every account, by name."""
    return [_account(store, r) for r in store.query("SELECT * FROM users ORDER BY name")]


def add_user(
    store: Store,
    name: str,
    roles: list[str] | tuple[str, ...],
    password: str | None = None,
    *,
    by: User | None = None,
) -> Account:
    """Create an account (password optional: a token-only or OIDC-mapped user); audited."""
    name, roles = check_name(name), check_roles(roles)
    digest = hash_password(password) if password else ""
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise InvalidInputError(
                f"User {name!r} exists; change roles with the Admin page or remove it first"
            )
        conn.execute(
            "INSERT INTO users(name, roles_json, password_hash, created_at) VALUES (?, ?, ?, ?)",
            (name, json.dumps(list(roles)), digest, utc_now_iso()),
        )
        record_audit(conn, by, "user.add", name, {"roles": list(roles), "with_password": bool(password)})
    return get_account(store, name)


def remove_user(store: Store, name: str, *, by: User | None = None) -> None:
    """Delete an account, its tokens and its sessions; audited."""
    account = get_account(store, name)
    with store.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE user_name = ? AND kind = 'local'", (account.name,))
        conn.execute("DELETE FROM users WHERE name = ?", (account.name,))
        record_audit(conn, by, "user.remove", account.name)


def set_roles(
    store: Store, name: str, roles: list[str] | tuple[str, ...], *, by: User | None = None
) -> Account:
    """Replace an account's roles; audited."""
    account, roles = get_account(store, name), check_roles(roles)
    with store.transaction() as conn:
        conn.execute(
            "UPDATE users SET roles_json = ? WHERE name = ?", (json.dumps(list(roles)), account.name)
        )
        conn.execute("DELETE FROM sessions WHERE user_name = ? AND kind = 'local'", (account.name,))
        record_audit(conn, by, "user.roles", account.name, {"from": list(account.roles), "to": list(roles)})
    return get_account(store, name)


def set_password(store: Store, name: str, password: str, *, by: User | None = None) -> None:
    """Set a new password, clear the lock-out; audited (without the password)."""
    account, digest = get_account(store, name), hash_password(password)
    with store.transaction() as conn:
        conn.execute(
            "UPDATE users SET password_hash = ?, failures = 0, locked_until = NULL WHERE name = ?",
            (digest, account.name),
        )
        record_audit(conn, by, "user.password", account.name)


def authenticate(
    store: Store, settings: Settings, name: str, password: str, *, now: datetime | None = None
) -> User:
    """The `User` for a right name and password; `SignInFailedError` (no hint) or `AccountLockedError`."""
    now = now or _now()
    clean = (name or "").strip()[:64]
    row = _row(store, clean) if clean else None
    ok = verify_password(row["password_hash"] if row else "", password)  # same cost for unknown names
    if row is None:
        shown = clean if _valid_name(clean) else "(not a valid name)"  # never store what may be a password
        with store.transaction() as conn:
            record_audit(conn, shown, "signin", shown, outcome="failed")
        raise SignInFailedError(WRONG)
    locked_until = row["locked_until"]
    if locked_until and datetime.fromisoformat(locked_until) > now:
        with store.transaction() as conn:
            record_audit(conn, row["name"], "signin", row["name"], outcome="locked")
        minutes = max(1, int((datetime.fromisoformat(locked_until) - now).total_seconds() // 60) + 1)
        raise AccountLockedError(
            f"Too many failed sign-ins: this account is locked for {minutes} more minute(s); "
            "wait, or ask an admin to set a new password"
        )
    if not ok:
        failures = int(row["failures"]) + 1
        lock = failures >= settings.lockout_failures
        until = (now + timedelta(minutes=settings.lockout_minutes)).isoformat(timespec="milliseconds")
        with store.transaction() as conn:
            conn.execute(
                "UPDATE users SET failures = ?, locked_until = ? WHERE id = ?",
                (0 if lock else failures, until if lock else None, row["id"]),
            )
            record_audit(conn, row["name"], "signin", row["name"], {"locked": lock}, outcome="failed")
        raise SignInFailedError(WRONG)
    with store.transaction() as conn:
        conn.execute("UPDATE users SET failures = 0, locked_until = NULL WHERE id = ?", (row["id"],))
        user = User(name=row["name"], roles=tuple(json.loads(row["roles_json"])), kind="local")
        record_audit(conn, user, "signin", user.name)
    return user


def create_token(store: Store, name: str, label: str = "", *, by: User | None = None) -> str:
    """A new API token for `name`: returned once, stored only as its digest; audited."""
    account = get_account(store, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction() as conn:
        (user_id,) = conn.execute("SELECT id FROM users WHERE name = ?", (account.name,)).fetchone()
        conn.execute(
            "INSERT INTO api_tokens(user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)",
            (user_id, token_digest(token), label[:100], utc_now_iso()),
        )
        record_audit(conn, by, "token.create", account.name, {"label": label[:100]})
    return token


def revoke_tokens(store: Store, name: str, *, by: User | None = None) -> int:
    """Delete every token of `name`; return how many; audited."""
    account = get_account(store, name)
    with store.transaction() as conn:
        cur = conn.execute(
            "DELETE FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE name = ?)", (account.name,)
        )
        record_audit(conn, by, "token.revoke", account.name, {"count": cur.rowcount})
    return int(cur.rowcount)


def user_for_token(store: Store, token: str) -> User:
    """The `User` (kind "token") a token belongs to; `SignInFailedError` for any bad token."""
    if not token or len(token) > 200:
        raise SignInFailedError(BAD_TOKEN)
    digest = token_digest(token)
    rows = store.query(
        "SELECT t.token_hash, u.name, u.roles_json FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE t.token_hash = ?",
        (digest,),
    )
    if not rows or not hmac.compare_digest(rows[0]["token_hash"], digest):
        raise SignInFailedError(BAD_TOKEN)
    return User(name=rows[0]["name"], roles=tuple(json.loads(rows[0]["roles_json"])), kind="token")
