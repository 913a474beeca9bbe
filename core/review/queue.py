"""The review queue and reviewers' actions (stored decisions re-exported from core.moderation.store).

`list_queue` returns flagged, review_required and needs_review items with
their reasons, counts and the oldest waiting time. Reviewer actions (`approve`,
`edit_and_approve`, `reject`, `send_back`) need a reviewer name, are recorded
in the `reviews` table and the status history, and never delete or rewrite
anything: an edit is a new version (origin "reviewer_edit") moderated again,
and a rejected item stays in the database, never exportable
(`is_exportable`, `ensure_exportable`). Scoring text is `core.moderation`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.errors import ExportRefusedError, InvalidInputError
from core.moderation import Moderation, moderate
from core.moderation.store import (
    STATUS_FOR_LEVEL,
    StoredModeration,
    apply_moderation,
    latest_moderation,
    moderate_item,
    moderation_history,
    record_moderation,
)
from core.store import Item, ItemStatus, Store
from utils.events import EventLog, utc_now_iso
from utils.settings import Settings

__all__ = [
    "QUEUE_STATUSES",
    "STATUS_FOR_LEVEL",
    "StoredModeration",
    "QueueItem",
    "ReviewQueue",
    "ReviewAction",
    "ReviewResult",
    "record_moderation",
    "apply_moderation",
    "moderate_item",
    "latest_moderation",
    "moderation_history",
    "list_queue",
    "approve",
    "edit_and_approve",
    "reject",
    "send_back",
    "review_history",
    "is_exportable",
    "ensure_exportable",
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


@dataclass(frozen=True)
class ReviewAction:
    """One recorded reviewer action."""

    id: int
    item_id: int
    action: str
    reviewer: str
    note: str
    from_status: str
    to_status: str
    version_id: int | None
    new_version_id: int | None
    created_at: str


@dataclass(frozen=True)
class ReviewResult:
    """What an action did: the item now, the recorded action, and any new moderation."""

    item: Item
    action: ReviewAction
    moderation: Moderation | None = None


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


def _check_reviewer(reviewer: str) -> str:
    name = (reviewer or "").strip()
    if not name:
        raise InvalidInputError("A reviewer name is required; type your name (--reviewer NAME on the CLI)")
    return name[:100]


def _record(
    store: Store,
    item: Item,
    action: str,
    reviewer: str,
    note: str,
    to_status: str,
    version_id: int | None,
    new_version_id: int | None = None,
    events: EventLog | None = None,
) -> ReviewResult:
    now = utc_now_iso()
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO reviews(item_id, version_id, new_version_id, action, reviewer, note, from_status, to_status,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item.id, version_id, new_version_id, action, reviewer, note[:5000], item.status, to_status, now),
        )
        action_id = int(cur.lastrowid or 0)
    updated = store.set_status(item.id, to_status, reason=f"review {action}: {note}"[:500], actor=reviewer)
    from core.agent.rewards import reward_review

    # Approvals and rejections teach the strategy agent (never fails the review).
    reward_review(store, item.id, action, version_id=new_version_id or version_id, reviewer=reviewer)
    if events is not None:
        events.emit("review", item_id=item.id, outcome=action, reviewer=reviewer, to_status=to_status)
    return ReviewResult(item=updated, action=review_history(store, item.id, action_id=action_id)[0])


def _reviewable(store: Store, item_id: int) -> Item:
    item = store.get_item(item_id)
    if item.status == ItemStatus.REJECTED:
        raise InvalidInputError(
            f"Item {item_id} was rejected; a rejected item stays rejected (create a new post)"
        )
    return item


def approve(
    store: Store, item_id: int, reviewer: str, note: str = "", *, events: EventLog | None = None
) -> ReviewResult:
    """Approve an item as it is."""
    reviewer = _check_reviewer(reviewer)
    item = _reviewable(store, item_id)
    version = store.latest_version(item_id)
    return _record(store, item, "approve", reviewer, note, ItemStatus.APPROVED, version.id, events=events)


def edit_and_approve(
    store: Store,
    settings: Settings,
    item_id: int,
    reviewer: str,
    text: str,
    note: str = "",
    *,
    events: EventLog | None = None,
) -> ReviewResult:
    """Append the reviewer's edit as a new version, moderate it, approve unless moderation rejects it."""
    reviewer = _check_reviewer(reviewer)
    item = _reviewable(store, item_id)
    if not (text or "").strip():
        raise InvalidInputError("The edited text is empty; type the corrected post or use Reject")
    parent = store.latest_version(item_id)
    version = store.add_version(
        item_id, text, origin="reviewer_edit", parent_id=parent.id, data=parent.data, provider="reviewer"
    )
    result = moderate(text, settings)
    record_moderation(store, result, item_id=item_id, version_id=version.id, actor=reviewer)
    to_status = ItemStatus.REVIEW_REQUIRED if result.level == "rejected" else ItemStatus.APPROVED
    if to_status != ItemStatus.APPROVED:
        note = (
            (note + " " if note else "")
            + "(edit still rejected by moderation: "
            + ", ".join(result.reason_codes())
            + ")"
        )
    out = _record(store, item, "edit_and_approve", reviewer, note, to_status, parent.id, version.id, events)
    return ReviewResult(item=out.item, action=out.action, moderation=result)


def reject(
    store: Store, item_id: int, reviewer: str, note: str, *, events: EventLog | None = None
) -> ReviewResult:
    """Reject an item for good (it stays stored and is never exported); a note is required."""
    reviewer = _check_reviewer(reviewer)
    if not (note or "").strip():
        raise InvalidInputError("Say why you reject the item in the note (--note on the CLI)")
    item = _reviewable(store, item_id)
    version = store.latest_version(item_id)
    return _record(store, item, "reject", reviewer, note, ItemStatus.REJECTED, version.id, events=events)


def send_back(
    store: Store, item_id: int, reviewer: str, note: str = "", *, events: EventLog | None = None
) -> ReviewResult:
    """Send an item back to its creator for changes."""
    reviewer = _check_reviewer(reviewer)
    item = _reviewable(store, item_id)
    version = store.latest_version(item_id)
    return _record(store, item, "send_back", reviewer, note, ItemStatus.SENT_BACK, version.id, events=events)


def review_history(store: Store, item_id: int, *, action_id: int | None = None) -> list[ReviewAction]:
    """Every reviewer action on an item, oldest first (or just one by id)."""
    if action_id is not None:
        rows = store.query("SELECT * FROM reviews WHERE id = ?", (action_id,))
    else:
        rows = store.query("SELECT * FROM reviews WHERE item_id = ? ORDER BY id", (item_id,))
    return [
        ReviewAction(
            id=r["id"],
            item_id=r["item_id"],
            action=r["action"],
            reviewer=r["reviewer"],
            note=r["note"],
            from_status=r["from_status"],
            to_status=r["to_status"],
            version_id=r["version_id"],
            new_version_id=r["new_version_id"],
            created_at=r["created_at"],
        )
        for r in rows
    ]


def is_exportable(store: Store, item_id: int) -> bool:
    """False for a rejected item (by a reviewer or by moderation), True otherwise."""
    item = store.get_item(item_id)
    if item.status == ItemStatus.REJECTED:
        return False
    return not store.query(
        "SELECT 1 FROM reviews WHERE item_id = ? AND action = 'reject' LIMIT 1", (item_id,)
    )


def ensure_exportable(store: Store, item_id: int) -> None:
    """Raise ExportRefusedError when the item may not be exported."""
    if not is_exportable(store, item_id):
        raise ExportRefusedError(
            f"Item {item_id} was rejected in moderation or review and can never be exported"
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
