"""Database backends behind one connection-like interface: SQLite (default) and PostgreSQL.

`connect(target)` opens a `Database` for a file path (SQLite, WAL) or a
`postgresql://` URL (psycopg 3, imported lazily). Both offer the same surface:
`execute(sql, params)` / `executemany` with `?` placeholders, a cursor with
`fetchone`, `fetchall`, `rowcount` and `lastrowid`; rows that unpack like
tuples and read by column name (`sqlite3.Row` / `Row`); `query_dicts` (rows as
plain dicts); `begin(write=...)`, `commit()`, `rollback()`; and
`translate_script()` for migrations written in the portable subset (see
docs/readme/store.md). Parts: `rows.py` (Row, the protocol), `sqlite.py`,
`postgres.py`, `errors.py`. This package knows nothing about Herald's tables;
`core.store` does.
"""

from __future__ import annotations

from pathlib import Path

from core.db.errors import DatabaseUnavailableError
from core.db.rows import Database, Row

__all__ = ["connect", "is_postgres_url", "Database", "Row", "DatabaseUnavailableError", "redact_url"]


def is_postgres_url(target: object) -> bool:
    """True for `postgresql://...` and `postgres://...` targets."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def redact_url(url: str) -> str:
    """The URL with its password replaced by `***`, safe for messages and logs."""
    head, sep, tail = url.partition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, cred = head.partition("://")
    user = cred.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in cred else ''}@{tail}"


def connect(target: Path | str | None) -> Database:
    """Open the database at `target`: None or ':memory:' (SQLite in memory), a path, or a PostgreSQL URL."""
    if is_postgres_url(target):
        from core.db.postgres import PostgresDatabase

        return PostgresDatabase.open(str(target))
    from core.db.sqlite import SqliteDatabase

    return SqliteDatabase.open(None if target is None or str(target) == ":memory:" else Path(target))
