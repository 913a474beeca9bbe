"""`Row` (a tuple that also reads by column name) and the `Database` protocol both backends follow.

SQLite's rows are `sqlite3.Row` (the same behaviour, in C); PostgreSQL's are `Row`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

__all__ = ["Row", "Cursor", "Database"]


class Row(tuple):
    """A result row: unpacks and indexes like a tuple, reads like a dict by column name.

    Example: `(n,) = row` and `row["n"]` both work; `dict(row)` gives {column: value}.
    """

    _columns: tuple[str, ...] = ()

    def __new__(cls, columns: tuple[str, ...], values: Sequence[Any]) -> Row:
        row = super().__new__(cls, values)
        row._columns = columns
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            try:
                return tuple.__getitem__(self, self._columns.index(key))
            except ValueError:
                raise KeyError(key) from None
        return tuple.__getitem__(self, key)

    def keys(self) -> tuple[str, ...]:
        """Column names, in order."""
        return self._columns

    def get(self, key: str, default: Any = None) -> Any:
        """The value of a column, or `default` when the row has no such column."""
        return self[key] if key in self._columns else default


class Cursor(Protocol):
    """What `Database.execute` returns."""

    lastrowid: int | None
    rowcount: int

    def fetchone(self) -> Row | None: ...

    def fetchall(self) -> list[Row]: ...

    def __iter__(self) -> Iterator[Row]: ...


class Database(Protocol):
    """One open connection to SQLite or PostgreSQL, with `?` placeholders on both."""

    dialect: str
    path: Any

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Cursor: ...

    def query_dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    def begin(self, *, write: bool) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def translate_script(self, statement: str) -> str | None: ...

    def integrity_check(self) -> str: ...

    def size_bytes(self) -> int: ...

    def describe(self) -> str: ...

    def close(self) -> None: ...
