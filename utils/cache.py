"""A cache of model results shared by every worker: Redis when configured, a SQLite file otherwise.

One small interface, `ResultCache` with `get(namespace, key)` and
`put(namespace, key, value)`, values are JSON dicts. `open_cache(settings)`
picks `RedisCache` when `HERALD_REDIS_URL` is set (every app process and
worker sees the same entries) and `SqliteCache` (`data_dir/cache.db`)
otherwise. Entries expire after `HERALD_CACHE_TTL_S`. A cache that fails
(Redis restarting, a locked file) answers "miss" and logs: it never breaks
the work it speeds up. What to key on (text hash, model version) is the
caller's business: see `core/cache.py`. `text_key` hashes the parts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Protocol

__all__ = ["ResultCache", "SqliteCache", "RedisCache", "MemoryCache", "open_cache", "text_key"]

LOG = logging.getLogger(__name__)
PREFIX = "herald:cache"


def text_key(*parts: Any) -> str:
    """A SHA-256 hex digest of the parts (strings as UTF-8, others as JSON).

    Example: text_key("hello", "v1") == text_key("hello", "v1")
    """
    h = hashlib.sha256()
    for part in parts:
        raw = part if isinstance(part, str) else json.dumps(part, sort_keys=True, default=str)
        h.update(raw.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


class ResultCache(Protocol):
    """Where cached model results live; `hits` and `misses` count lookups."""

    name: str
    hits: int
    misses: int

    def get(self, namespace: str, key: str) -> dict[str, Any] | None: ...
    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None: ...
    def clear(self) -> None: ...


class _Counted:
    name = "base"

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0

    def _count(self, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value


class MemoryCache(_Counted):
    """A dict in this process (tests, or when nothing else is wanted)."""

    name = "memory"

    def __init__(self) -> None:
        super().__init__()
        self._data: dict[tuple[str, str], str] = {}

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        """The cached value or None."""
        raw = self._data.get((namespace, key))
        return self._count(json.loads(raw) if raw else None)

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Store a value."""
        self._data[(namespace, key)] = json.dumps(value, ensure_ascii=False)

    def clear(self) -> None:
        """Drop every entry."""
        self._data.clear()


class SqliteCache(_Counted):
    """A table in its own SQLite file (WAL), shared by the processes of one machine."""

    name = "sqlite"

    def __init__(self, path: Path | str, ttl_s: int = 7 * 24 * 3600):
        super().__init__()
        self.path = Path(path)
        self.ttl_s = int(ttl_s)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10)
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS cache (namespace TEXT NOT NULL, key TEXT NOT NULL,"
                " value_json TEXT NOT NULL, expires_at REAL NOT NULL, PRIMARY KEY (namespace, key))"
            )
            self._conn.commit()

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        """The cached value, or None when missing, expired or unreadable."""
        try:
            with self._lock:
                row = self._conn.execute(
                    "SELECT value_json FROM cache WHERE namespace = ? AND key = ? AND expires_at > ?",
                    (namespace, key, time.time()),
                ).fetchone()
            return self._count(json.loads(row[0]) if row else None)
        except (sqlite3.Error, ValueError) as exc:
            LOG.warning("result cache read failed (%s); computing instead", exc)
            return self._count(None)

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Store a value (replacing an older one)."""
        try:
            with self._lock:
                self._conn.execute(
                    "INSERT OR REPLACE INTO cache(namespace, key, value_json, expires_at) VALUES (?, ?, ?, ?)",
                    (namespace, key, json.dumps(value, ensure_ascii=False), time.time() + self.ttl_s),
                )
                self._conn.commit()
        except sqlite3.Error as exc:
            LOG.warning("result cache write failed (%s); the result is not cached", exc)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._conn.execute("DELETE FROM cache")
            self._conn.commit()


class RedisCache(_Counted):
    """Keys `herald:cache:<namespace>:<key>` in Redis with a TTL, shared by every worker."""

    name = "redis"

    def __init__(self, url: str, ttl_s: int = 7 * 24 * 3600):
        import redis

        super().__init__()
        self.ttl_s = int(ttl_s)
        self._errors = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)

    def get(self, namespace: str, key: str) -> dict[str, Any] | None:
        """The cached value, or None when missing or Redis is unreachable."""
        try:
            raw = self._client.get(f"{PREFIX}:{namespace}:{key}")
            return self._count(json.loads(raw) if raw else None)
        except (*self._errors, ValueError) as exc:
            LOG.warning("result cache (Redis) read failed (%s); computing instead", exc)
            return self._count(None)

    def put(self, namespace: str, key: str, value: dict[str, Any]) -> None:
        """Store a value with the TTL."""
        try:
            self._client.set(
                f"{PREFIX}:{namespace}:{key}", json.dumps(value, ensure_ascii=False), ex=self.ttl_s
            )
        except self._errors as exc:
            LOG.warning("result cache (Redis) write failed (%s); the result is not cached", exc)

    def clear(self) -> None:
        """Drop every Herald cache entry."""
        for k in self._client.scan_iter(f"{PREFIX}:*"):
            self._client.delete(k)


def open_cache(settings: Any) -> ResultCache:
    """Redis when `settings.redis_url` is set, else `data_dir/cache.db`."""
    ttl = int(getattr(settings, "cache_ttl_s", 7 * 24 * 3600))
    if getattr(settings, "redis_url", ""):
        return RedisCache(settings.redis_url, ttl)
    return SqliteCache(Path(settings.data_dir) / "cache.db", ttl)
