"""Reviewers' actions on held items: approve, edit and approve, reject, send back.

Every action needs a reviewer name, is recorded in the `reviews` table and the
status history, and never deletes or rewrites anything: an edit is a new
version (origin "reviewer_edit") moderated again, and a rejected item stays in
the database, never exportable (`is_exportable`, `ensure_exportable`).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ExportRefusedError, InvalidInputError
from core.moderation import Moderation, moderate
from core.moderation.store import record_moderation
from core.store import Item, ItemStatus, Store
from utils.events import EventLog, utc_now_iso
from utils.settings import Settings

__all__ = [
    "ReviewAction",
    "ReviewResult",
    "approve",
    "edit_and_approve",
    "reject",
    "send_back",
    "review_history",
    "is_exportable",
    "ensure_exportable",
]


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
