"""The audit trail: `record_audit` writes one row inside the caller's transaction.

Call it with the connection of the transaction that does the action (for
example `with store.transaction() as conn: ...; record_audit(conn, user, ...)`),
so the action and its record commit or roll back together. `detail` is
scrubbed: a key that names a secret (password, token, key, ...) is never
stored. Reading back (`list_audit`) and the CSV export live here too.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.auth.types import User
from core.store import Store
from utils.events import utc_now_iso
from utils.export import neutralise_cell

__all__ = ["AuditEntry", "record_audit", "audit_hook", "list_audit", "audit_csv", "scrub"]

_SECRET_KEY = re.compile(r"passw|token|secret|api_?key|credential|authorization|cookie|session", re.I)
CSV_HEADER = ("id", "ts", "user", "user_kind", "roles", "action", "target", "outcome", "detail")


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action: who, when, what, on what, and how it ended."""

    id: int
    ts: str
    user: str
    user_kind: str
    roles: str
    action: str
    target: str
    outcome: str
    detail: dict[str, Any]


def scrub(detail: dict[str, Any] | None) -> dict[str, Any]:
    """`detail` without any key that names a secret (nested dicts too)."""
    out: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if _SECRET_KEY.search(str(key)):
            continue
        out[str(key)] = scrub(value) if isinstance(value, dict) else value
    return out


def record_audit(
    conn: sqlite3.Connection,
    user: User | str | None,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    outcome: str = "ok",
) -> None:
    """Append one audit row through `conn` (the caller's open transaction)."""
    if isinstance(user, User):
        name, kind, roles = user.name, user.kind, ",".join(user.roles)
    else:
        name, kind, roles = str(user or "system"), "", ""
    conn.execute(
        "INSERT INTO audit(ts, user, user_kind, roles, action, target, outcome, detail_json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            utc_now_iso(),
            name[:100],
            kind,
            roles,
            action[:100],
            str(target)[:300],
            outcome[:40],
            json.dumps(scrub(detail), ensure_ascii=False, default=str)[:5000],
        ),
    )


def audit_hook(
    user: User | str | None,
    action: str,
    detail: dict[str, Any] | None = None,
    then: Callable[..., None] | None = None,
) -> Callable[..., None]:
    """An `also` hook for `core.gate.submit_version`: the audit row joins the gate's transaction.

    The hook records `action` on "item N" with the new version and status, then calls `then`
    (a caller's own hook) with the same arguments.
    """

    def hook(conn: sqlite3.Connection, item_id: int, version_id: int, status: str, reasons: Any) -> None:
        extra = {"version_id": version_id, "status": status}
        record_audit(conn, user, action, f"item {item_id}", {**(detail or {}), **extra})
        if then is not None:
            then(conn, item_id, version_id, status, reasons)

    return hook


def list_audit(
    store: Store,
    *,
    since: str | None = None,
    user: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    limit: int = 1000,
) -> list[AuditEntry]:
    """Audit rows, newest first, filtered by time (ISO prefix), user, action prefix and outcome."""
    sql, params = "SELECT * FROM audit WHERE 1=1", []
    if since:
        sql, params = sql + " AND ts >= ?", [*params, since]
    if user:
        sql, params = sql + " AND user = ? COLLATE NOCASE", [*params, user]
    if action:
        sql, params = sql + " AND action LIKE ? ESCAPE '\\'", [*params, _like_prefix(action)]
    if outcome:
        sql, params = sql + " AND outcome = ?", [*params, outcome]
    rows = store.query(sql + " ORDER BY id DESC LIMIT ?", (*params, int(limit)))
    return [
        AuditEntry(**{k: r[k] for k in CSV_HEADER[:-1]}, detail=json.loads(r["detail_json"] or "{}"))
        for r in rows
    ]


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def audit_csv(entries: list[AuditEntry]) -> str:
    """The entries as CSV (every cell neutralised so a spreadsheet never runs it as a formula)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in entries:
        row = (e.id, e.ts, e.user, e.user_kind, e.roles, e.action, e.target, e.outcome, json.dumps(e.detail))
        writer.writerow([neutralise_cell(v) for v in row])
    return out.getvalue()
