"""The Queue: push jobs into SQLite and claim them atomically."""

import json
import sqlite3
import time


class Queue:
    """A job queue stored in one SQLite file."""

    def __init__(self, path: str, max_retries: int = 3, poll_interval: float = 0.5):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS jobs (id INTEGER PRIMARY KEY, payload TEXT, "
            "priority INTEGER DEFAULT 0, run_at REAL, attempts INTEGER DEFAULT 0)"
        )
        self.max_retries = max_retries
        self.poll_interval = poll_interval

    def push(self, payload: dict, priority: int = 0, run_at: float | None = None) -> int:
        """Add a job and return its id."""
        cur = self.db.execute(
            "INSERT INTO jobs (payload, priority, run_at) VALUES (?, ?, ?)",
            (json.dumps(payload), priority, run_at or time.time()),
        )
        return cur.lastrowid
