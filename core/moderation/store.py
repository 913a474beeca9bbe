"""Stored moderation decisions: record them and read them back.

`record_moderation` appends one row to the `moderations` table (never updated
later); `STATUS_FOR_LEVEL` maps a level to the item status it gives
(approved -> ready, flagged, review_required, rejected), which `core.gate`
applies. Scoring is `core.moderation`'s job; the review queue and reviewer
actions are `core.review`'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from core.moderation import Moderation
from core.store import ItemStatus, Store
from utils.events import utc_now_iso

__all__ = [
    "STATUS_FOR_LEVEL",
    "StoredModeration",
    "record_moderation",
    "latest_moderation",
    "latest_version_moderation",
    "moderation_history",
]

STATUS_FOR_LEVEL = {
    "approved": ItemStatus.READY,  # "approved" as a status means a reviewer approved it
    "flagged": ItemStatus.FLAGGED,
    "review_required": ItemStatus.REVIEW_REQUIRED,
    "rejected": ItemStatus.REJECTED,
}


@dataclass(frozen=True)
class StoredModeration:
    """A moderation decision as stored, with what it was about."""

    id: int
    item_id: int | None
    version_id: int | None
    subject: str
    moderation: Moderation
    actor: str
    created_at: str


def record_moderation(
    store: Store,
    moderation: Moderation,
    *,
    item_id: int | None = None,
    version_id: int | None = None,
    rating_id: int | None = None,
    subject: str = "post",
    actor: str = "system",
) -> int:
    """Store one decision (never updated later) and return its id."""
    codes = ",".join(moderation.reason_codes())
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO moderations(item_id, version_id, rating_id, subject, level, scores_json, reasons_json,"
            " reason_codes, backends_json, fallbacks_json, notes_json, actor, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                version_id,
                rating_id,
                subject,
                moderation.level,
                json.dumps(moderation.scores),
                json.dumps(moderation.to_dict()["reasons"], ensure_ascii=False),
                codes,
                json.dumps(list(moderation.backends_ran)),
                json.dumps(list(moderation.fallbacks)),
                json.dumps(list(moderation.notes)),
                actor or "system",
                utc_now_iso(),
            ),
        )
        return int(cur.lastrowid or 0)


def _row_to_stored(row: dict[str, Any]) -> StoredModeration:
    moderation = Moderation.from_dict(
        {
            "level": row["level"],
            "scores": json.loads(row["scores_json"]),
            "reasons": json.loads(row["reasons_json"]),
            "backends_ran": json.loads(row["backends_json"]),
            "fallbacks": json.loads(row["fallbacks_json"]),
            "notes": json.loads(row["notes_json"]),
        }
    )
    return StoredModeration(
        id=row["id"],
        item_id=row["item_id"],
        version_id=row["version_id"],
        subject=row["subject"],
        moderation=moderation,
        actor=row["actor"],
        created_at=row["created_at"],
    )


def latest_moderation(store: Store, item_id: int) -> StoredModeration | None:
    """The newest decision about an item (None when it was never moderated)."""
    rows = store.query(
        "SELECT * FROM moderations WHERE item_id = ? AND subject != 'rating_comment' ORDER BY id DESC LIMIT 1",
        (item_id,),
    )
    return _row_to_stored(rows[0]) if rows else None


def moderation_history(store: Store, item_id: int) -> list[StoredModeration]:
    """Every decision about an item, oldest first."""
    return [
        _row_to_stored(r)
        for r in store.query("SELECT * FROM moderations WHERE item_id = ? ORDER BY id", (item_id,))
    ]


def latest_version_moderation(store: Store, version_id: int) -> StoredModeration | None:
    """The newest decision about one version, or None when it was never moderated."""
    rows = store.query(
        "SELECT * FROM moderations WHERE version_id = ? AND subject != 'rating_comment' ORDER BY id DESC LIMIT 1",
        (version_id,),
    )
    return _row_to_stored(rows[0]) if rows else None
