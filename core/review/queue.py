"""The review queue: flagged, review_required and needs_review items with their reasons and waiting times.

`list_queue` returns the held items with their reasons, counts and the oldest
waiting time; `highlight_segments` marks the sentences behind a moderation's
reasons. Reviewers' actions are `core.review.actions`; stored moderation
decisions are `core.moderation.store`. Scoring text is `core.moderation`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.moderation import Moderation
from core.moderation.store import latest_moderation
from core.store import ItemStatus, Store

__all__ = [
    "QUEUE_STATUSES",
    "QueueItem",
    "ReviewQueue",
    "list_queue",
    "highlight_segments",
]

# needs_review: the guard's confidence was below HERALD_GUARD_MIN_CONFIDENCE (set by the pipeline)
QUEUE_STATUSES = (ItemStatus.FLAGGED, ItemStatus.REVIEW_REQUIRED, ItemStatus.NEEDS_REVIEW)
LOW_GUARD_CONFIDENCE = "low_guard_confidence"


@dataclass(frozen=True)
class QueueItem:
    """One item waiting for a reviewer."""

    item_id: int
    title: str
    kind: str
    status: str
    version_id: int
    text: str
    moderation: Moderation | None
    reason_codes: tuple[str, ...]
    waiting_since: str
    waiting_s: float
    claims: tuple[Any, ...]


@dataclass(frozen=True)
class ReviewQueue:
    """The queue, its counts per status and reason, and the oldest waiting time."""

    items: tuple[QueueItem, ...]
    counts: dict[str, int]
    reason_counts: dict[str, int]
    oldest_wait_s: float | None
    reason_filter: str | None


def _age_s(iso: str, now: datetime) -> float:
    try:
        return max(0.0, (now - datetime.fromisoformat(iso)).total_seconds())
    except ValueError:
        return 0.0


def _claims_for(store: Store, version_id: int) -> tuple[Any, ...]:
    try:
        from core.guard import store as guard_store  # the guard's stored reports; optional for the queue
    except ImportError:
        return ()
    try:
        report = guard_store.guard_report_for(store, version_id)
    except Exception:  # evidence is a nice-to-have on the queue, never a blocker
        return ()
    return tuple(getattr(report, "claims", ()) or ()) if report is not None else ()


def list_queue(store: Store, *, reason: str | None = None, limit: int = 200) -> ReviewQueue:
    """Flagged, review_required and needs_review items, oldest waiting first, optionally by reason code."""
    now = datetime.now(UTC)
    rows = store.query(
        "SELECT i.*, (SELECT MAX(s.created_at) FROM status_changes s WHERE s.item_id = i.id AND s.status = i.status)"
        f" AS since FROM items i WHERE i.status IN ({','.join('?' * len(QUEUE_STATUSES))}) ORDER BY since ASC, i.id ASC",
        QUEUE_STATUSES,
    )
    items: list[QueueItem] = []
    counts = {s: 0 for s in QUEUE_STATUSES}
    reason_counts: dict[str, int] = {}
    oldest: float | None = None
    for row in rows:
        stored = latest_moderation(store, row["id"])
        codes = stored.moderation.reason_codes() if stored else ()
        if row["status"] == ItemStatus.NEEDS_REVIEW:
            codes = (*codes, LOW_GUARD_CONFIDENCE)
        counts[row["status"]] += 1
        for code in codes:
            reason_counts[code] = reason_counts.get(code, 0) + 1
        waiting = _age_s(row["since"] or row["created_at"], now)
        oldest = waiting if oldest is None else max(oldest, waiting)
        if reason and reason not in codes:
            continue
        if len(items) >= limit:
            continue
        version = store.latest_version(row["id"])
        items.append(
            QueueItem(
                item_id=row["id"],
                title=row["title"],
                kind=row["kind"],
                status=row["status"],
                version_id=version.id,
                text=version.text,
                moderation=stored.moderation if stored else None,
                reason_codes=codes,
                waiting_since=row["since"] or row["created_at"],
                waiting_s=waiting,
                claims=_claims_for(store, version.id),
            )
        )
    return ReviewQueue(
        items=tuple(items),
        counts=counts,
        reason_counts=dict(sorted(reason_counts.items())),
        oldest_wait_s=oldest,
        reason_filter=reason,
    )


def highlight_segments(text: str, moderation: Moderation | None) -> list[tuple[str, str | None]]:
    """Split text into (segment, category or None) so the sentences behind reasons can be highlighted."""
    if moderation is None or not text:
        return [(text, None)]
    marks: list[tuple[int, int, str]] = []
    for reason in moderation.reasons:
        snippet = reason.sentence.strip()
        if len(snippet) < 3:
            continue
        start = text.find(snippet)
        if start >= 0 and not any(s < start + len(snippet) and start < e for s, e, _ in marks):
            marks.append((start, start + len(snippet), reason.category))
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, category in sorted(marks):
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], category))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out
