"""The store: one database (SQLite file by default, PostgreSQL when configured), numbered migrations.

`Store` owns the connection (one lock, safe across Streamlit's threads),
applies the SQL files in `core/migrations/` in name order on either backend,
and offers the base operations on sources, items, versions, ratings and status
changes. Other modules (guard, moderation, jobs, agent) keep their own tables
through their own migration files and reach the database only through
`Store.query` and `Store.transaction` (a connection-like object from `core.db`
with `?` placeholders on both backends). A version is never updated in place:
edits, revisions and restores are new rows.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.db import Database, connect, is_postgres_url
from core.errors import ConflictError, InvalidInputError, NotFoundError
from utils.events import utc_now_iso

__all__ = ["Store", "Item", "Version", "Rating", "ItemStatus", "VERSION_ORIGINS"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_ORIGINS = (
    "generated",
    "guard_revision",
    "reviewer_edit",
    "improvement",
    "restore",
    "edit",
)


class ItemStatus:
    """Item statuses. Moderation levels double as statuses once decided."""

    DRAFT = "draft"
    READY = "ready"
    NEEDS_REVIEW = "needs_review"
    APPROVED = "approved"
    FLAGGED = "flagged"
    REVIEW_REQUIRED = "review_required"
    REJECTED = "rejected"
    SENT_BACK = "sent_back"


@dataclass(frozen=True)
class Version:
    """One immutable version of an item."""

    id: int
    item_id: int
    number: int
    text: str
    data: dict[str, Any]
    origin: str
    parent_id: int | None
    provider: str
    state: str
    created_at: str
    actor: str = ""


@dataclass(frozen=True)
class Item:
    """An item (post or video) and its current status."""

    id: int
    source_id: int | None
    kind: str
    title: str
    status: str
    created_by: str
    created_at: str


@dataclass(frozen=True)
class Rating:
    """A creator's rating of one version."""

    id: int
    item_id: int
    version_id: int | None
    user: str
    stars: int | None
    liked: int | None
    comment: str
    created_at: str


def _row_to_version(row: dict[str, Any]) -> Version:
    return Version(
        id=row["id"],
        item_id=row["item_id"],
        number=row["number"],
        text=row["text"],
        data=json.loads(row["data_json"] or "{}"),
        origin=row["origin"],
        parent_id=row["parent_id"],
        provider=row["provider"],
        state=row["state"],
        created_at=row["created_at"],
        actor=row.get("actor", "") or "",
    )


def _row_to_item(row: dict[str, Any]) -> Item:
    return Item(**{k: row[k] for k in Item.__dataclass_fields__})


@dataclass
class Store:
    """Herald's database; `Store.open(path_or_url)` builds one."""

    conn: Database
    path: Path | None
    lock: threading.RLock = field(default_factory=threading.RLock)
    _depth: int = field(default=0, repr=False)

    @classmethod
    def open(cls, target: Path | str | None) -> Store:
        """Open and migrate the database at `target`: a file path, None (memory) or a postgresql:// URL."""
        conn = connect(target)
        store = cls(conn=conn, path=None if is_postgres_url(target) else conn.path)
        store.migrate()
        return store

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.conn.dialect

    def close(self) -> None:
        """Close the connection; the store is unusable afterwards."""
        with self.lock:
            self.conn.close()

    # --- schema ------------------------------------------------------------
    def migrate(self) -> list[str]:
        """Apply every migration file not applied yet; return the names applied now."""
        applied_now: list[str] = []
        with self.transaction() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {r[0] for r in conn.execute("SELECT name FROM migrations").fetchall()}
            for sql_file in sorted(MIGRATIONS_DIR.glob("*.sql")):
                if sql_file.stem in done:
                    continue
                for statement in _split_sql(sql_file.read_text(encoding="utf-8")):
                    translated = conn.translate_script(statement)
                    if translated:
                        conn.execute(translated)
                conn.execute(
                    "INSERT INTO migrations(name, applied_at) VALUES (?, ?)", (sql_file.stem, utc_now_iso())
                )
                applied_now.append(sql_file.stem)
        return applied_now

    def applied_migrations(self) -> list[str]:
        """Names of the migrations applied to this database, in order."""
        return [r["name"] for r in self.query("SELECT name FROM migrations ORDER BY name")]

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """Run a block in one write transaction under the store's lock; nested blocks join the outer one.

        SQLite takes the file's write lock at once (BEGIN IMMEDIATE); PostgreSQL takes
        one advisory lock, so writers in every process and thread go one at a time.
        """
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.begin(write=True)
            self._depth = 1
            try:
                yield self.conn
                self.conn.commit()
            except BaseException:
                self.conn.rollback()
                raise
            finally:
                self._depth = 0

    def query(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[dict[str, Any]]:
        """Rows of a read query as dicts (`?` placeholders on both backends)."""
        with self.lock:
            return self.conn.query_dicts(sql, tuple(params))

    def integrity_check(self) -> str:
        """'ok' when the database is healthy, else what its check says."""
        with self.lock:
            return self.conn.integrity_check()

    def size_bytes(self) -> int:
        """Bytes the database takes (file and WAL, or the server's database size)."""
        with self.lock:
            return self.conn.size_bytes()

    def describe(self) -> str:
        """Where the data lives: the file path or the URL without its password."""
        return self.conn.describe()

    # --- sources -----------------------------------------------------------
    def add_source(
        self, kind: str, location: str, content_hash: str, doc_count: int, skipped: list[str]
    ) -> int:
        """Record a loaded source and return its id."""
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO sources(kind, location, content_hash, doc_count, skipped_json, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, location, content_hash, doc_count, json.dumps(skipped[:200]), utc_now_iso()),
            )
            return int(cur.lastrowid or 0)

    def get_source(self, source_id: int) -> dict[str, Any]:
        """One source row; raises NotFoundError."""
        rows = self.query("SELECT * FROM sources WHERE id = ?", (source_id,))
        if not rows:
            raise NotFoundError(f"No source {source_id}; list sources in the Library page")
        return rows[0]

    # --- items and versions ------------------------------------------------
    # Versions are written only by core.gate (every new text passes its checks first); these
    # conn-level writers run inside the gate's transaction.
    def insert_item(
        self, conn: Database, kind: str, title: str, source_id: int | None, created_by: str
    ) -> int:
        """Insert an item row (status draft until the gate sets it); returns its id."""
        cur = conn.execute(
            "INSERT INTO items(source_id, kind, title, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (source_id, kind, title, ItemStatus.DRAFT, created_by, utc_now_iso()),
        )
        return int(cur.lastrowid or 0)

    def insert_version(
        self,
        conn: Database,
        item_id: int,
        text: str,
        data: dict[str, Any] | None,
        origin: str,
        parent_id: int | None,
        provider: str,
        state: str,
        actor: str = "",
    ) -> int:
        """Append a version (never rewrites an old one); returns its id. Only `core.gate` calls this."""
        if origin not in VERSION_ORIGINS:
            raise InvalidInputError(f"Unknown version origin {origin!r}; use one of {VERSION_ORIGINS}")
        if parent_id is not None:
            row = conn.execute("SELECT item_id FROM versions WHERE id = ?", (parent_id,)).fetchone()
            if row is None or row[0] != item_id:
                raise InvalidInputError(f"Version {parent_id} does not belong to item {item_id}")
        (number,) = conn.execute(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM versions WHERE item_id = ?", (item_id,)
        ).fetchone()
        cur = conn.execute(
            "INSERT INTO versions(item_id, number, text, data_json, origin, parent_id, provider, state, actor,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                number,
                text,
                json.dumps(data or {}, ensure_ascii=False, default=str),
                origin,
                parent_id,
                provider,
                state,
                actor,
                utc_now_iso(),
            ),
        )
        return int(cur.lastrowid or 0)

    def change_version_state(self, conn: Database, version_id: int, state: str) -> None:
        """Accept (active) or dismiss a pending version inside a transaction; text is never touched."""
        if state not in ("active", "pending", "dismissed"):
            raise InvalidInputError("Version state must be active, pending or dismissed")
        conn.execute("UPDATE versions SET state = ? WHERE id = ?", (state, version_id))

    def change_status(
        self, conn: Database, item_id: int, status: str, *, reason: str = "", actor: str = "system"
    ) -> None:
        """Set an item's status and record the change, inside a transaction."""
        conn.execute("UPDATE items SET status = ? WHERE id = ?", (status, item_id))
        conn.execute(
            "INSERT INTO status_changes(item_id, status, reason, actor, created_at) VALUES (?,?,?,?,?)",
            (item_id, status, reason, actor or "system", utc_now_iso()),
        )

    def get_item(self, item_id: int) -> Item:
        """One item; raises NotFoundError naming the fix."""
        rows = self.query("SELECT * FROM items WHERE id = ?", (item_id,))
        if not rows:
            raise NotFoundError(
                f"No item {item_id}; list items with the Library page or `python -m core export --help`"
            )
        return _row_to_item(rows[0])

    def list_items(
        self, *, status: str | None = None, kind: str | None = None, limit: int = 500
    ) -> list[Item]:
        """Items, newest first, optionally filtered."""
        sql, params = "SELECT * FROM items WHERE 1=1", []
        if status:
            sql += " AND status = ?"
            params.append(status)
        if kind:
            sql += " AND kind = ?"
            params.append(kind)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [_row_to_item(r) for r in self.query(sql, tuple(params))]

    def get_version(self, version_id: int) -> Version:
        """One version; raises NotFoundError."""
        rows = self.query("SELECT * FROM versions WHERE id = ?", (version_id,))
        if not rows:
            raise NotFoundError(f"No version {version_id}")
        return _row_to_version(rows[0])

    def versions(self, item_id: int) -> list[Version]:
        """Every version of an item, oldest first."""
        return [
            _row_to_version(r)
            for r in self.query("SELECT * FROM versions WHERE item_id = ? ORDER BY number", (item_id,))
        ]

    def latest_version(self, item_id: int, *, include_pending: bool = False) -> Version:
        """The newest active version (pending ones only when asked)."""
        states = ("active", "pending") if include_pending else ("active",)
        rows = self.query(
            f"SELECT * FROM versions WHERE item_id = ? AND state IN ({','.join('?' * len(states))})"
            " ORDER BY number DESC LIMIT 1",
            (item_id, *states),
        )
        if not rows:
            raise NotFoundError(f"Item {item_id} has no active version")
        return _row_to_version(rows[0])

    def set_status(
        self,
        item_id: int,
        status: str,
        *,
        reason: str = "",
        actor: str = "system",
        expected: str | None = None,
    ) -> Item:
        """Change an item's status and record who and why; `expected` refuses it if someone changed it first."""
        self.get_item(item_id)
        with self.transaction() as conn:
            if expected is not None:
                (now,) = conn.execute("SELECT status FROM items WHERE id = ?", (item_id,)).fetchone()
                if now != expected:
                    raise ConflictError(
                        f"Item {item_id} changed meanwhile (it is now {now}): reload it and act again"
                    )
            self.change_status(conn, item_id, status, reason=reason, actor=actor)
        return self.get_item(item_id)

    def status_history(self, item_id: int) -> list[dict[str, Any]]:
        """Every status change of an item, oldest first."""
        return self.query("SELECT * FROM status_changes WHERE item_id = ? ORDER BY id", (item_id,))

    # --- ratings -----------------------------------------------------------
    def add_rating(
        self,
        item_id: int,
        *,
        version_id: int | None = None,
        stars: int | None = None,
        liked: int | None = None,
        comment: str = "",
        user: str = "anonymous",
    ) -> Rating:
        """Store a rating; stars must be 1-5 and liked 1, -1 or None."""
        if stars is not None and not (isinstance(stars, int) and 1 <= stars <= 5):
            raise InvalidInputError(f"A rating is 1 to 5 stars, not {stars!r}")
        if liked not in (None, 1, -1):
            raise InvalidInputError("liked must be 1 (like), -1 (dislike) or empty")
        if stars is None and liked is None and not comment.strip():
            raise InvalidInputError("Give stars, a like or dislike, or a comment")
        self.get_item(item_id)
        if version_id is not None and self.get_version(version_id).item_id != item_id:
            raise InvalidInputError(f"Version {version_id} does not belong to item {item_id}")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO ratings(item_id, version_id, user, stars, liked, comment, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (item_id, version_id, user or "anonymous", stars, liked, comment[:5000], utc_now_iso()),
            )
            rating_id = int(cur.lastrowid or 0)
        row = self.query("SELECT * FROM ratings WHERE id = ?", (rating_id,))[0]
        return Rating(**row)

    def ratings(self, item_id: int | None = None) -> list[Rating]:
        """Ratings of one item, or all, oldest first."""
        if item_id is None:
            rows = self.query("SELECT * FROM ratings ORDER BY id")
        else:
            rows = self.query("SELECT * FROM ratings WHERE item_id = ? ORDER BY id", (item_id,))
        return [Rating(**r) for r in rows]


def _split_sql(script: str) -> list[str]:
    """Split a migration script into statements (no semicolons inside strings there)."""
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
