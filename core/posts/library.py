"""The Library: every item with its versions, diffs and restores, and the strategy it was written with.

`list_library` lists items with filters and a summary of each (versions,
pending improvements, ratings, strategy). `item_versions` lists every version
with its origin (generated, guard revision, reviewer edit, improvement,
restore); `compare_versions` diffs any two word by word; `restore_version`
appends a NEW version with origin "restore" (nothing is rewritten). Ratings and
the rewards they teach the agent are `core.posts.feedback`'s job (re-exported
here, so the Library page needs one import). Rendering is the pages' job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from core.agent import agent_for
from core.auth import User, acting, audit_hook, require, signed_in_name
from core.errors import InvalidInputError
from core.gate import GateResult, ProposedVersion, accept_pending, dismiss_pending, submit_version
from core.posts.feedback import (
    FeedbackResult,
    apply_feedback,
    note_regenerate,
    rate_item,
    record_item_event,
)
from core.services import Services
from core.store import Item, Store, Version
from utils.diff import TextDiff, diff_words, render_html, render_unified

__all__ = [
    "ORIGIN_LABELS",
    "LibraryItem",
    "VersionInfo",
    "VersionComparison",
    "FeedbackResult",
    "list_library",
    "item_versions",
    "compare_versions",
    "restore_version",
    "resolve_improvement",
    "rate_item",
    "apply_feedback",
    "record_item_event",
    "StrategyReport",
    "strategy_report",
    "note_regenerate",
]

LOG = logging.getLogger(__name__)
ORIGIN_LABELS = {
    "generated": "generated",
    "guard_revision": "guard revision",
    "reviewer_edit": "reviewer edit",
    "improvement": "improvement from a rating",
    "restore": "restore",
    "edit": "creator edit",
}


@dataclass(frozen=True)
class LibraryItem:
    """One row of the Library list."""

    item: Item
    preview: str
    versions: int
    pending: int
    ratings: int
    mean_stars: float | None
    likes: int
    dislikes: int
    strategy: str
    updated_at: str


@dataclass(frozen=True)
class VersionInfo:
    """A version with its origin in words and its ratings."""

    version: Version
    origin_label: str
    restored_from: int | None
    mean_stars: float | None
    ratings: int


@dataclass(frozen=True)
class VersionComparison:
    """Two versions of one item and the word-level diff between them."""

    a: Version
    b: Version
    diff: TextDiff
    html: str
    unified: str


def list_library(
    store: Store,
    *,
    status: str | None = None,
    kind: str | None = None,
    search: str = "",
    origin: str | None = None,
    created_by: str | None = None,
    limit: int = 200,
) -> list[LibraryItem]:
    """Items, newest first, filtered by status, kind, text, a version origin or author."""
    sql = """
        SELECT i.*,
          (SELECT COUNT(*) FROM versions v WHERE v.item_id = i.id) AS n_versions,
          (SELECT COUNT(*) FROM versions v WHERE v.item_id = i.id AND v.state = 'pending') AS n_pending,
          (SELECT MAX(created_at) FROM versions v WHERE v.item_id = i.id) AS updated_at,
          (SELECT text FROM versions v WHERE v.item_id = i.id AND v.state = 'active'
             ORDER BY number DESC LIMIT 1) AS latest_text,
          (SELECT COUNT(*) FROM ratings r WHERE r.item_id = i.id) AS n_ratings,
          (SELECT AVG(stars) FROM ratings r WHERE r.item_id = i.id) AS mean_stars,
          (SELECT COUNT(*) FROM ratings r WHERE r.item_id = i.id AND r.liked = 1) AS likes,
          (SELECT COUNT(*) FROM ratings r WHERE r.item_id = i.id AND r.liked = -1) AS dislikes,
          (SELECT strategy FROM agent_choices c WHERE c.item_id = i.id ORDER BY id DESC LIMIT 1) AS strategy
        FROM items i WHERE 1 = 1"""
    params: list[Any] = []
    for column, value in (("status", status), ("kind", kind), ("created_by", created_by)):
        if value:
            sql += f" AND i.{column} = ?"
            params.append(value)
    if search.strip():
        sql += " AND (i.title LIKE ? OR EXISTS (SELECT 1 FROM versions v WHERE v.item_id = i.id AND v.text LIKE ?))"
        params += [f"%{search.strip()}%"] * 2
    if origin:
        sql += " AND EXISTS (SELECT 1 FROM versions v WHERE v.item_id = i.id AND v.origin = ?)"
        params.append(origin)
    sql += " ORDER BY i.id DESC LIMIT ?"
    params.append(max(1, min(int(limit), 5000)))
    out = []
    for r in store.query(sql, tuple(params)):
        item = Item(**{k: r[k] for k in Item.__dataclass_fields__})
        preview = " ".join((r["latest_text"] or "").split())[:160]
        out.append(
            LibraryItem(
                item,
                preview,
                r["n_versions"],
                r["n_pending"],
                r["n_ratings"],
                r["mean_stars"],
                r["likes"],
                r["dislikes"],
                r["strategy"] or "",
                r["updated_at"] or item.created_at,
            )
        )
    return out


def item_versions(store: Store, item_id: int) -> list[VersionInfo]:
    """Every version of an item, oldest first, with its origin and ratings."""
    store.get_item(item_id)
    stats = {
        r["version_id"]: r
        for r in store.query(
            "SELECT version_id, COUNT(*) AS n, AVG(stars) AS m FROM ratings WHERE item_id = ? GROUP BY version_id",
            (item_id,),
        )
    }
    out = []
    for v in store.versions(item_id):
        s = stats.get(v.id, {})
        restored = v.data.get("restored_from") if v.origin == "restore" else None
        out.append(VersionInfo(v, ORIGIN_LABELS.get(v.origin, v.origin), restored, s.get("m"), s.get("n", 0)))
    return out


def compare_versions(store: Store, a_version_id: int, b_version_id: int) -> VersionComparison:
    """Word-level diff between two versions of the same item."""
    a, b = store.get_version(a_version_id), store.get_version(b_version_id)
    if a.item_id != b.item_id:
        raise InvalidInputError("Compare two versions of the same item: pick both from one item's list")
    diff = diff_words(a.text, b.text)
    a_label, b_label = f"Version {a.number} ({a.origin})", f"Version {b.number} ({b.origin})"
    return VersionComparison(
        a, b, diff, render_html(diff, a_label, b_label), render_unified(diff, a_label, b_label)
    )


def restore_version(
    services: Services, item_id: int, number: int, *, actor: str = "", by: User | None = None
) -> GateResult:
    """Append a copy of version `number` of the item as a new version (origin "restore"), through the gate."""
    user = require(acting(by), "post.restore", services.store.get_item(item_id))
    actor = signed_in_name(by) or actor
    old = next((v for v in services.store.versions(item_id) if v.number == number), None)
    if old is None:
        raise InvalidInputError(
            f"Item {item_id} has no version {number}: list them with `python -m core versions --item {item_id}`"
        )
    data = {**old.data, "restored_from": old.id, "restored_number": old.number, "restored_by": actor}
    proposal = ProposedVersion(
        old.text, "restore", actor=actor, data=data, parent_id=old.id, provider=old.provider
    )
    result = submit_version(
        services, proposal, item_id=item_id, also=audit_hook(user, "post.restore", {"from_number": number})
    )
    LOG.info("Restored version %s of item %s as version %s", old.number, item_id, result.proposed.number)
    return result


def resolve_improvement(
    services: Services, item_id: int, accept: bool, *, actor: str = "", by: User | None = None
) -> GateResult | None:
    """Accept (it becomes current, with the status its checks gave it) or dismiss the pending version(s)."""
    require(acting(by), "post.refine", services.store.get_item(item_id))
    actor = signed_in_name(by) or actor
    if accept:
        return accept_pending(services, item_id, actor=actor)
    dismiss_pending(services, item_id, actor=actor)
    return None


@dataclass(frozen=True)
class StrategyReport:
    """The strategy an item was written with, why, and the agent's values for its context."""

    choice: Any  # core.agent.types.Choice
    values: tuple[Any, ...]  # core.agent.types.StrategyValue, best first
    epsilon: float
    explanation: str


def strategy_report(services: Services, item_id: int) -> StrategyReport | None:
    """The logged strategy choice of an item with the current Q-values of its context, or None."""
    agent = agent_for(services)
    choice = agent.choice_for_item(item_id)
    if choice is None:
        return None
    values = tuple(agent.strategy_values(choice.context))
    return StrategyReport(choice, values, agent.epsilon(choice.context), choice.explanation)
