"""Feedback on a stored post: ratings, the rewards they teach the agent, and improved versions.

`rate_item` stores a rating (stars, like/dislike, comment), moderates the
comment and calls `apply_feedback`, which turns it into rewards for the agent
and, after a low rating, asks the chain for an improved version saved as
*pending*: it never replaces an active or approved version until someone
accepts it. `record_item_event` rewards exports, shares, regenerates and review
decisions; `note_regenerate` penalises a post regenerated right away. Below
the Library, the exports and the pipeline, which all import it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from core.agent import agent_for
from core.agent.rewards import Reward, record_event
from core.auth import User, acting, record_audit, require, signed_in_name
from core.errors import HeraldError
from core.posts.errors import mapped_errors
from core.posts.view import load_post
from core.services import Services
from core.store import Rating, Version

__all__ = [
    "FeedbackResult",
    "rate_item",
    "apply_feedback",
    "record_item_event",
    "REGENERATE_WINDOW_S",
    "note_regenerate",
]

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedbackResult:
    """What one piece of feedback did: the stored rating, rewards, and any improved version."""

    rating: Rating | None
    rewards: tuple[Reward, ...]
    improvement: Version | None
    notes: tuple[str, ...] = ()
    comment_usable: bool = True  # False when moderation held the rating comment back


def _improve(
    services: Services, item_id: int, version_id: int, stars: int, comment: str, user: str = ""
) -> Version:
    from chains.refine import refine_text
    from core.gate import ProposedVersion, dismiss_pending, submit_version

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
    if any(v.state == "pending" for v in services.store.versions(item_id)):
        dismiss_pending(services, item_id, actor="system")  # one proposal waits at a time: the newest
    proposal = ProposedVersion(
        result.text, "improvement", actor=user or "agent", data=data, parent_id=version_id,
        provider=result.provider, pending=True,
    )  # fmt: skip
    return submit_version(services, proposal, item_id=item_id).current


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
            improvement = _improve(services, item_id, version_id, stars, comment, user)
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
    by: User | None = None,
) -> FeedbackResult:
    """Store a rating (stars 1-5, like 1 / dislike -1, comment), moderate the comment, reward, maybe improve.

    The one rating entry point: the Create page, the Library, `core.posts.refine.rate_version` and video
    ratings (`improve=False`: videos propose an improved storyboard instead) all come here.
    """
    store = services.store
    rater = require(acting(by), "post.rate", store.get_item(item_id))
    user = signed_in_name(by) or user
    if version_id is None:
        version_id = store.latest_version(item_id).id
    comment = comment.strip()
    with (
        services.events.step("rate", item_id=item_id, version_id=version_id) as t,
        store.transaction() as conn,
    ):
        rating = store.add_rating(
            item_id,
            version_id=version_id,
            stars=stars,
            liked=liked,
            comment=comment,
            user=user or "anonymous",
        )
        detail = {"version_id": version_id, "stars": stars, "liked": liked}
        record_audit(conn, rater, "post.rate", f"item {item_id}", detail)
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


REGENERATE_WINDOW_S = 600.0


def note_regenerate(services: Services, location: str, created_by: str = "") -> Reward | None:
    """Penalise the creator's previous post from this source if it is regenerated within 10 minutes unrated.

    "Right away" means: the newest item from the same source location and creator is younger than
    `REGENERATE_WINDOW_S` and has no rating and no reward yet. Never raises.
    """
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
