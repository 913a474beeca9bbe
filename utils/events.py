"""Append-only JSONL event log: one line per pipeline step.

Each line has `ts` (ISO 8601, UTC), `step`, `item_id`, `provider`, `latency_ms`,
`outcome` and `scores`, plus any extra fields a step adds. Files live under the
log folder and rotate by size (`events.jsonl` -> `events.1.jsonl`, ...), so a
log never grows without bound. Reading and aggregating is `utils.metrics`'s job.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["EventLog", "StepTimer", "utc_now_iso"]

LOG = logging.getLogger(__name__)
EVENTS_FILE = "events.jsonl"
# Field names that may carry a credential ("token", "api_key", "github_token"), not counts ("tokens_in").
_SECRET_FIELD = re.compile(r"api_?key|secret|passw|credential|authorization|(?:^|_)token$", re.IGNORECASE)


def utc_now_iso() -> str:
    """Current UTC time as an ISO 8601 string with milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _scrub(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if not _SECRET_FIELD.search(k)}


@dataclass
class StepTimer:
    """Collects the outcome of a timed step; see `EventLog.step`."""

    provider: str | None = None
    item_id: int | None = None  # set inside the block when the step creates the item
    outcome: str = "ok"
    scores: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class EventLog:
    """Writes JSONL events under `log_dir`, rotating at `max_bytes`."""

    def __init__(self, log_dir: Path, max_bytes: int = 50_000_000, filename: str = EVENTS_FILE):
        self.log_dir = Path(log_dir)
        self.max_bytes = max_bytes
        self.filename = filename
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        """The current (unrotated) log file."""
        return self.log_dir / self.filename

    def emit(
        self,
        step: str,
        *,
        item_id: int | None = None,
        provider: str | None = None,
        latency_ms: float | None = None,
        outcome: str = "ok",
        scores: dict[str, float] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Append one event line and return it."""
        event = {
            "ts": utc_now_iso(),
            "step": step,
            "item_id": item_id,
            "provider": provider,
            "latency_ms": None if latency_ms is None else round(float(latency_ms), 3),
            "outcome": outcome,
            "scores": scores or {},
            **_scrub(extra),
        }
        line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
        with self._lock:
            try:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                self._rotate_if_needed(len(line))
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(line)
            except OSError as exc:  # a full disk must not break a post
                LOG.warning("could not write event log %s: %s", self.path, exc)
        return event

    @contextmanager
    def step(self, step: str, *, item_id: int | None = None, **extra: Any) -> Iterator[StepTimer]:
        """Time a block and emit one event for it; an exception is logged as outcome=error."""
        timer = StepTimer(item_id=item_id, extra=dict(extra))
        start = time.perf_counter()
        try:
            yield timer
        except Exception as exc:
            timer.outcome = "error"
            timer.extra["error"] = f"{type(exc).__name__}: {exc}"[:500]
            raise
        finally:
            self.emit(
                step,
                item_id=timer.item_id,
                provider=timer.provider,
                latency_ms=(time.perf_counter() - start) * 1000,
                outcome=timer.outcome,
                scores=timer.scores,
                **timer.extra,
            )

    def _rotate_if_needed(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size + incoming <= self.max_bytes:
            return
        stem = self.filename[: -len(".jsonl")] if self.filename.endswith(".jsonl") else self.filename
        n = 1
        while (self.log_dir / f"{stem}.{n}.jsonl").exists():
            n += 1
        os.replace(self.path, self.log_dir / f"{stem}.{n}.jsonl")
