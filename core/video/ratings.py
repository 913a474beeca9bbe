"""Rating videos and the improved storyboards a low rating proposes.

`rate_video` stores the rating; at or below `video_rating_threshold` stars it
asks the writing chain for improved scene lines from the comment and saves
them as a pending version (origin "improvement"), which the creator accepts or
dismisses. A pending version never replaces the current storyboard silently.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from typing import cast

from core.auth import User
from core.errors import InvalidInputError, NotFoundError
from core.services import Services
from core.store import Rating, Version
from core.video import Storyboard, storyboard_from_text
from core.video.items import board_of_version, script_of, storyboard_of

__all__ = [
    "RatingOutcome",
    "PendingImprovement",
    "rate_video",
    "pending_improvement",
    "accept_improvement",
    "dismiss_improvement",
]

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingImprovement:
    """An improved storyboard waiting for the creator, with a line diff against the current one."""

    version_id: int
    item_id: int
    storyboard: Storyboard
    diff: str
    provider: str


@dataclass(frozen=True)
class RatingOutcome:
    """A stored rating and, when it was low, the improvement it produced (or why none)."""

    rating_id: int
    stars: int
    improvement: PendingImprovement | None
    notes: tuple[str, ...] = ()


def _diff(old: Storyboard, new: Storyboard) -> str:
    return "\n".join(difflib.unified_diff(old.lines(), new.lines(), "current", "improved", lineterm="", n=1))


def _improve(services: Services, item_id: int, board: Storyboard, comment: str) -> tuple[list[str], str]:
    from chains.refine import improve_storyboard_lines
    from rag.types import Passage

    version = services.store.latest_version(item_id)
    grounding = version.text
    from_item = version.data.get("from_item") or services.store.versions(item_id)[0].data.get("from_item")
    if from_item:
        grounding += "\n" + services.store.latest_version(int(from_item)).text
    passages = [
        Passage(text=p, kind="docs", path="script", score=1.0) for p in grounding.splitlines() if p.strip()
    ]
    lines = improve_storyboard_lines(
        board.lines(), comment, passages, services.chain(), services.settings, item_id=item_id
    )
    return lines, ""  # improve_storyboard_lines does not say which provider answered


def rate_video(
    services: Services,
    item_id: int,
    stars: int,
    comment: str = "",
    *,
    user: str = "creator",
    version_id: int | None = None,
    by: User | None = None,
) -> RatingOutcome:
    """Store a rating; at or below the threshold, propose an improved storyboard as a pending version."""
    store, settings = services.store, services.settings
    item = store.get_item(item_id)
    if item.kind != "video":
        raise InvalidInputError(f"Item {item_id} is a {item.kind}, not a video; rate it on its own page")
    current = store.latest_version(item_id)
    from core.posts.feedback import rate_item  # stores, moderates the comment, rewards the agent

    feedback = rate_item(
        services,
        item_id,
        version_id or current.id,
        stars=stars,
        comment=comment,
        user=user,
        improve=False,
        by=by,
    )
    rating = cast(Rating, feedback.rating)
    if not feedback.comment_usable:
        comment = ""
    if stars > settings.video_rating_threshold:
        return RatingOutcome(rating.id, stars, None)
    board = board_of_version(services, current)
    try:
        with services.events.step("video_improve", item_id=item_id) as step:
            lines, provider = _improve(services, item_id, board, comment)
            step.provider = provider
    except Exception as exc:  # a failed proposal must not lose the rating
        LOG.warning("no improved storyboard for item %s: %s", item_id, exc)
        return RatingOutcome(rating.id, stars, None, (f"No improved storyboard: {exc}",))
    improved = storyboard_from_text("\n".join(lines), settings, title=board.title, aspect=board.aspect)
    if improved.lines() == board.lines():
        return RatingOutcome(rating.id, stars, None, ("The writing chain proposed no change",))
    from core.gate import ProposedVersion, dismiss_pending, submit_version

    if any(v.state == "pending" for v in store.versions(item_id)):
        dismiss_pending(services, item_id, actor="system")  # one proposal waits at a time: the newest
    proposal = ProposedVersion(
        script_of(improved), "improvement", actor=user or "agent", parent_id=current.id, provider=provider,
        data={"storyboard": improved.to_dict(), "rating_id": rating.id, "comment": comment}, pending=True,
    )  # fmt: skip
    version = submit_version(services, proposal, item_id=item_id).current
    return RatingOutcome(rating.id, stars, _pending(services, version, board))


def _pending(services: Services, version: Version, board: Storyboard | None = None) -> PendingImprovement:
    improved = board_of_version(services, version)
    board = board or storyboard_of(services, version.item_id)
    return PendingImprovement(version.id, version.item_id, improved, _diff(board, improved), version.provider)


def pending_improvement(services: Services, item_id: int) -> PendingImprovement | None:
    """The newest improved storyboard still waiting for the creator, if any."""
    for version in reversed(services.store.versions(item_id)):
        if version.state == "pending":  # the improvement, or the guard's revision of it
            return _pending(services, version)
    return None


def _pending_version(services: Services, version_id: int) -> Version:
    version = services.store.get_version(version_id)
    if version.state != "pending":
        raise NotFoundError(f"Version {version_id} is {version.state}, not pending; refresh the page")
    return version


def accept_improvement(services: Services, version_id: int, *, actor: str = "") -> Storyboard:
    """Make a pending improved storyboard the current one (with the status its checks gave it); return it."""
    from core.gate import accept_pending

    version = _pending_version(services, version_id)
    accepted = accept_pending(services, version.item_id, actor=actor)
    return board_of_version(services, accepted.current)


def dismiss_improvement(services: Services, version_id: int, *, actor: str = "") -> None:
    """Dismiss a pending improved storyboard; the current one stays."""
    from core.gate import dismiss_pending

    dismiss_pending(services, _pending_version(services, version_id).item_id, actor=actor)
