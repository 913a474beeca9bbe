"""The SQLite backend: one file in WAL mode (or memory), explicit transactions, `sqlite3.Row` rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["SqliteDatabase"]


class SqliteDatabase:
    """A sqlite3 connection in autocommit mode; transactions are opened with `begin`."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | None) -> SqliteDatabase:
        """Open (creating if needed) the file at `path`, or an in-memory database when None."""
        if path is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.row_factory = sqlite3.Row  # C-fast; unpacks like a tuple, reads by name, has keys()
        return cls(conn, path)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        """Run one statement with `?` placeholders."""
        return self.conn.execute(sql, params)

    def query_dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read query as plain dicts (tuples zipped with the column names: the fast path)."""
        cur = self.conn.cursor()
        cur.row_factory = None
        cur.execute(sql, params)
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        """Run one statement for each parameter row."""
        return self.conn.executemany(sql, rows)

    def begin(self, *, write: bool) -> None:
        """Open a transaction; a write one takes the file's write lock at once (BEGIN IMMEDIATE)."""
        self.conn.execute("BEGIN IMMEDIATE" if write and self.path is not None else "BEGIN")

    def commit(self) -> None:
        """Commit the open transaction."""
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        """Roll back the open transaction."""
        self.conn.execute("ROLLBACK")

    def translate_script(self, statement: str) -> str | None:
        """Migrations are written for SQLite: run as they are."""
        return statement

    def integrity_check(self) -> str:
        """SQLite's own integrity check ('ok' when healthy)."""
        rows = self.conn.execute("PRAGMA integrity_check").fetchall()
        return "; ".join(str(r[0]) for r in rows[:5]) or "no answer"

    def size_bytes(self) -> int:
        """Bytes on disk of the file and its WAL and shared-memory files."""
        if self.path is None:
            return 0
        return sum(p.stat().st_size for s in ("", "-wal", "-shm") if (p := Path(f"{self.path}{s}")).exists())

    def describe(self) -> str:
        """Where the data lives, for the health page."""
        return str(self.path or ":memory:")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
