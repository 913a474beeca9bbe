"""The Library: every item with its versions, diffs, restores, and feedback that teaches the agent.

`list_library` lists items with filters and a summary of each (versions,
pending improvements, ratings, strategy). `item_versions` lists every version
with its origin (generated, guard revision, reviewer edit, improvement,
restore); `compare_versions` diffs any two word by word; `restore_version`
appends a NEW version with origin "restore" (nothing is rewritten).
`rate_item` stores a rating (stars, like/dislike, comment) and `apply_feedback`
turns it into rewards for the agent and, after a low rating, asks the chain for
an improved version saved as *pending*: it never replaces an active or approved
version until someone accepts it. Rendering is the pages' job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from core.agent import agent_for
from core.agent.rewards import Reward, record_event
from core.errors import HeraldError, InvalidInputError
from core.services import Services
from core.store import Item, Rating, Store, Version
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
    "set_pending_version",
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


@dataclass(frozen=True)
class FeedbackResult:
    """What one piece of feedback did: the stored rating, rewards, and any improved version."""

    rating: Rating | None
    rewards: tuple[Reward, ...]
    improvement: Version | None
    notes: tuple[str, ...] = ()
    comment_usable: bool = True  # False when moderation held the rating comment back


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


def restore_version(store: Store, version_id: int, *, actor: str = "") -> Version:
    """Append a copy of an old version as the newest active version (origin "restore")."""
    old = store.get_version(version_id)
    data = {**old.data, "restored_from": old.id, "restored_number": old.number, "restored_by": actor}
    version = store.add_version(
        old.item_id,
        old.text,
        origin="restore",
        data=data,
        parent_id=old.id,
        provider=old.provider,
        state="active",
    )
    LOG.info("Restored version %s of item %s as version %s", old.number, old.item_id, version.number)
    return version


def set_pending_version(store: Store, version_id: int, accept: bool) -> Version:
    """Accept (make active) or dismiss a pending version, such as an improvement."""
    version = store.get_version(version_id)
    if version.state != "pending":
        raise InvalidInputError(
            f"Version {version.number} is {version.state}, not pending: nothing to accept"
        )
    return store.set_version_state(version_id, "active" if accept else "dismissed")


def _improve(services: Services, item_id: int, version_id: int, stars: int, comment: str) -> Version:
    from chains.refine import refine_text
    from core.posts.view import load_post, mapped_errors

    view = load_post(services, item_id, version_id)
    instruction = comment.strip() or (
        f"The creator rated this post {stars}/5: make it clearer, more specific and more engaging"
    )
    with mapped_errors(), services.events.step("improve", item_id=item_id, version_id=version_id) as t:
        result = refine_text(
            view.text,
            instruction,
            list(view.passages),
            services.chain(),
            services.settings,
            brief=view.brief,
            strategy=view.strategy,
            item_id=item_id,
        )
        t.provider = result.provider
    data = {
        **view.version.data,
        "instruction": instruction,
        "improved_after_stars": stars,
        "model": result.model,
        "warnings": list(result.warnings),
    }
    return services.store.add_version(
        item_id,
        result.text,
        origin="improvement",
        data=data,
        parent_id=version_id,
        provider=result.provider,
        state="pending",
    )


def apply_feedback(
    services: Services,
    item_id: int,
    version_id: int | None,
    *,
    stars: int | None = None,
    liked: int | None = None,
    comment: str = "",
    user: str = "",
    improve: bool = True,
) -> FeedbackResult:
    """Rewards for a stored rating, and a pending improved version when the stars are low.

    A failure here is logged and returned as a note: the rating itself is already saved.
    """
    agent = agent_for(services)
    rewards: list[Reward] = []
    notes: list[str] = []
    events = [("rating", stars)] if stars is not None else []
    if liked in (1, -1):
        events.append(("like" if liked == 1 else "dislike", None))
    for event, value in events:
        try:
            rewards.append(record_event(agent, event, item_id, version_id=version_id, stars=value, user=user))
        except HeraldError as exc:
            notes.append(f"reward not recorded: {exc}")
    improvement = None
    if (
        improve
        and stars is not None
        and version_id is not None
        and stars <= services.settings.low_rating_threshold
    ):
        try:
            improvement = _improve(services, item_id, version_id, stars, comment)
            notes.append(f"An improved version {improvement.number} waits for your review in the Library.")
        except HeraldError as exc:
            LOG.warning("No improvement for item %s: %s", item_id, exc)
            notes.append(f"Could not write an improved version: {exc}")
    return FeedbackResult(None, tuple(rewards), improvement, tuple(notes))


def rate_item(
    services: Services,
    item_id: int,
    version_id: int | None,
    *,
    stars: int | None = None,
    liked: int | None = None,
    comment: str = "",
    user: str = "",
    improve: bool = True,
) -> FeedbackResult:
    """Store a rating (stars 1-5, like 1 / dislike -1, comment), moderate the comment, reward, maybe improve.

    The one rating entry point: the Create page, the Library, `core.posts.view.rate_version` and video
    ratings (`improve=False`: videos propose an improved storyboard instead) all come here.
    """
    store = services.store
    if version_id is None:
        version_id = store.latest_version(item_id).id
    comment = comment.strip()
    with services.events.step("rate", item_id=item_id, version_id=version_id) as t:
        rating = store.add_rating(
            item_id,
            version_id=version_id,
            stars=stars,
            liked=liked,
            comment=comment,
            user=user or "anonymous",
        )
        if stars:
            t.scores["stars"] = float(stars)
        t.extra.update(liked=liked, has_comment=bool(comment))
    usable = not comment or _comment_is_ready(services, item_id, version_id, rating, user)
    if not usable:
        comment = ""  # a comment that needs review never steers an improved version
    result = apply_feedback(
        services, item_id, version_id, stars=stars, liked=liked, comment=comment, user=user, improve=improve
    )
    return FeedbackResult(rating, result.rewards, result.improvement, result.notes, usable)


def _comment_is_ready(services: Services, item_id: int, version_id: int, rating: Rating, user: str) -> bool:
    """Moderate a rating comment, store the decision, and say whether it may be used."""
    from core.moderation import moderate
    from core.review import record_moderation

    with services.events.step("moderation", item_id=item_id, subject="rating_comment") as mt:
        verdict = moderate(rating.comment, services.settings)
        record_moderation(
            services.store,
            verdict,
            item_id=item_id,
            version_id=version_id,
            rating_id=rating.id,
            subject="rating_comment",
            actor=user or "anonymous",
        )
        mt.provider = "+".join(verdict.backends_ran)
        mt.scores.update(verdict.scores)
        mt.extra.update(level=verdict.level, reasons=list(verdict.reason_codes()))
    return verdict.ready


def record_item_event(
    services: Services, event: str, item_id: int, *, version_id: int | None = None, user: str = ""
) -> Reward | None:
    """Reward the agent for an export, share, regenerate, approve or reject; never raises for the caller."""
    try:
        return record_event(agent_for(services), event, item_id, version_id=version_id, user=user)
    except HeraldError as exc:
        LOG.warning("Reward for %s on item %s not recorded: %s", event, item_id, exc)
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


REGENERATE_WINDOW_S = 600.0


def note_regenerate(services: Services, location: str, created_by: str = "") -> Reward | None:
    """Penalise the creator's previous post from this source if it is regenerated within 10 minutes unrated.

    "Right away" means: the newest item from the same source location and creator is younger than
    `REGENERATE_WINDOW_S` and has no rating and no reward yet. Never raises.
    """
    from datetime import datetime

    try:
        rows = services.store.query(
            "SELECT i.id, i.created_at FROM items i JOIN sources s ON s.id = i.source_id"
            " WHERE s.location = ? AND i.created_by = ? ORDER BY i.id DESC LIMIT 1",
            (location, created_by),
        )
        if not rows:
            return None
        item_id = rows[0]["id"]
        age = datetime.now(UTC) - datetime.fromisoformat(rows[0]["created_at"])
        feedback = services.store.query(
            "SELECT (SELECT COUNT(*) FROM ratings WHERE item_id = ?) + "
            "(SELECT COUNT(*) FROM agent_rewards WHERE item_id = ?) AS n",
            (item_id, item_id),
        )[0]["n"]
    except Exception as exc:  # a new post must never fail because of this bookkeeping
        LOG.warning("Could not check for a regenerate: %s", exc)
        return None
    if age.total_seconds() > REGENERATE_WINDOW_S or feedback:
        return None
    return record_item_event(services, "regenerate", item_id, user=created_by)
