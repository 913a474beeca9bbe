"""Reviewers' actions on held items: approve, edit and approve, reject, send back.

Every action needs a reviewer name, is recorded in the `reviews` table and the
status history in the same transaction, and never deletes or rewrites anything:
an edit is a new version (origin "reviewer_edit") that passes `core.gate` like any
other (approved only when its own checks allow it), and a rejected item stays in
the database, never exportable. An action names the status (and version) the
reviewer saw; when another reviewer acted first, it is refused with
`ConflictError` and nothing is written. Sending back returns the item to its
creator: their next version re-enters the queue (`core.gate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.auth import User, acting, audit_hook, record_audit, require, signed_in_name
from core.errors import ConflictError, InvalidInputError
from core.moderation import Moderation
from core.store import Item, ItemStatus, Store
from utils.events import EventLog, utc_now_iso

__all__ = [
    "ReviewAction",
    "ReviewResult",
    "approve",
    "edit_and_approve",
    "reject",
    "send_back",
    "review_history",
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


def _acting_reviewer(by: User | None, item: Item, reviewer: str) -> str:
    """The reviewer's name once the policy allows `by` to review `item` (a signed-in user's own name)."""
    require(acting(by), "review.act", item)
    return signed_in_name(by) or reviewer


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
    *,
    expected_status: str | None = None,
    by: User | None = None,
) -> ReviewResult:
    now = utc_now_iso()
    with store.transaction() as conn:
        (status_now,) = conn.execute("SELECT status FROM items WHERE id = ?", (item.id,)).fetchone()
        if status_now != (expected_status or item.status):
            raise ConflictError(
                f"Item {item.id} changed meanwhile (it is now {status_now.replace('_', ' ')}): reload it and act again"
            )
        cur = conn.execute(
            "INSERT INTO reviews(item_id, version_id, new_version_id, action, reviewer, note, from_status, to_status,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item.id, version_id, new_version_id, action, reviewer, note[:5000], status_now, to_status, now),
        )
        action_id = int(cur.lastrowid or 0)
        detail = {"from_status": status_now, "to_status": to_status, "version_id": version_id}
        record_audit(
            conn, by if signed_in_name(by) else reviewer, f"review.{action}", f"item {item.id}", detail
        )
        if to_status != status_now:
            store.change_status(
                conn, item.id, to_status, reason=f"review {action}: {note}"[:500], actor=reviewer
            )
    from core.agent.rewards import reward_review

    # Approvals and rejections teach the strategy agent (never fails the review).
    reward_review(store, item.id, action, version_id=new_version_id or version_id, reviewer=reviewer)
    if events is not None:
        events.emit("review", item_id=item.id, outcome=action, reviewer=reviewer, to_status=to_status)
    return ReviewResult(
        item=store.get_item(item.id), action=review_history(store, item.id, action_id=action_id)[0]
    )


def _reviewable(store: Store, item_id: int, version_id: int | None = None) -> tuple[Item, int]:
    """The item and its current version id; refuses rejected items and a stale version."""
    item = store.get_item(item_id)
    if item.status == ItemStatus.REJECTED:
        raise InvalidInputError(
            f"Item {item_id} was rejected; a rejected item stays rejected (create a new post)"
        )
    current = store.latest_version(item_id)
    if version_id is not None and version_id != current.id:
        raise ConflictError(
            f"Item {item_id} has a newer version ({current.number}) than the one you reviewed: reload it"
        )
    return item, current.id


def _decide(
    store: Store,
    item_id: int,
    action: str,
    to_status: str,
    reviewer: str,
    note: str,
    note_required: str,
    *,
    events: EventLog | None,
    version_id: int | None,
    expected_status: str | None,
    by: User | None,
) -> ReviewResult:
    """One reviewer decision that adds no text: checks who and what, then records it atomically.

    `note_required` is the message when the action needs a note ("" when it does not).
    """
    reviewer = _check_reviewer(signed_in_name(by) or reviewer)
    if note_required and not (note or "").strip():
        raise InvalidInputError(note_required)
    item, current = _reviewable(store, item_id, version_id)
    reviewer = _acting_reviewer(by, item, reviewer)
    return _record(store, item, action, reviewer, note, to_status, current, events=events,
                   expected_status=expected_status, by=by)  # fmt: skip


def approve(
    store: Store,
    item_id: int,
    reviewer: str,
    note: str = "",
    *,
    events: EventLog | None = None,
    version_id: int | None = None,
    expected_status: str | None = None,
    by: User | None = None,
) -> ReviewResult:
    """Approve the item's current text as it is (a later version needs a new approval)."""
    return _decide(store, item_id, "approve", ItemStatus.APPROVED, reviewer, note, "", events=events,
                   version_id=version_id, expected_status=expected_status, by=by)  # fmt: skip


def edit_and_approve(
    services: Any,
    item_id: int,
    reviewer: str,
    text: str,
    note: str = "",
    *,
    version_id: int | None = None,
    expected_status: str | None = None,
    by: User | None = None,
) -> ReviewResult:
    """The reviewer's edit passes the gate as a new version; approved unless its own checks reject it."""
    from core.gate import ProposedVersion, submit_version

    store, events = services.store, services.events
    reviewer = _check_reviewer(signed_in_name(by) or reviewer)
    item, current = _reviewable(store, item_id, version_id)
    reviewer = _acting_reviewer(by, item, reviewer)
    if not (text or "").strip():
        raise InvalidInputError("The edited text is empty; type the corrected post or use Reject")
    parent = store.get_version(current)
    proposal = ProposedVersion(text, "reviewer_edit", actor=reviewer, data=parent.data, parent_id=parent.id,
                               provider="reviewer")  # fmt: skip
    recorded: list[int] = []

    def write_review(conn: Any, item_id: int, version_id: int, status: str, reasons: tuple[str, ...]) -> None:
        # runs inside the gate's transaction: the edit, its checks and this row land together or not at all
        why = note
        if status != ItemStatus.APPROVED:
            why = (
                note + " " if note else ""
            ) + f"(the edit was not approved by its checks: {'; '.join(reasons)})"
        cur = conn.execute(
            "INSERT INTO reviews(item_id, version_id, new_version_id, action, reviewer, note, from_status, to_status,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (item_id, parent.id, version_id, "edit_and_approve", reviewer, why[:5000], item.status, status,
             utc_now_iso()),
        )  # fmt: skip
        recorded.append(int(cur.lastrowid or 0))

    gated = submit_version(services, proposal, item_id=item_id, approve_as=reviewer,
                           expected_status=expected_status or item.status,
                           also=audit_hook(by if signed_in_name(by) else reviewer, "review.edit_and_approve", then=write_review))  # fmt: skip
    from core.agent.rewards import reward_review

    reward_review(store, item_id, "edit_and_approve", version_id=gated.current.id, reviewer=reviewer)
    events.emit(
        "review", item_id=item_id, outcome="edit_and_approve", reviewer=reviewer, to_status=gated.status
    )
    action = review_history(store, item_id, action_id=recorded[0])[0]
    return ReviewResult(item=gated.item, action=action, moderation=gated.moderation)


def reject(
    store: Store,
    item_id: int,
    reviewer: str,
    note: str,
    *,
    events: EventLog | None = None,
    version_id: int | None = None,
    expected_status: str | None = None,
    by: User | None = None,
) -> ReviewResult:
    """Reject an item for good (it stays stored and is never exported); a note is required."""
    return _decide(store, item_id, "reject", ItemStatus.REJECTED, reviewer, note,
                   "Say why you reject the item in the note (--note on the CLI)", events=events,
                   version_id=version_id, expected_status=expected_status, by=by)  # fmt: skip


def send_back(
    store: Store,
    item_id: int,
    reviewer: str,
    note: str = "",
    *,
    events: EventLog | None = None,
    version_id: int | None = None,
    expected_status: str | None = None,
    by: User | None = None,
) -> ReviewResult:
    """Send an item back to its creator with a note; their next version comes back to the queue."""
    return _decide(store, item_id, "send_back", ItemStatus.SENT_BACK, reviewer, note,
                   "Say what should change in the note (--note on the CLI): the creator reads it",
                   events=events, version_id=version_id, expected_status=expected_status, by=by)  # fmt: skip


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
