"""What a creator's or reviewer's action is worth to the strategy agent.

`reward_for` is the one place that maps an event to a reward in [-1, 1]:

| event        | reward                                   | setting            |
|--------------|------------------------------------------|--------------------|
| `rating`     | 1-5 stars, linearly: 1 -> -1, 3 -> 0, 5 -> 1 | (fixed scale)   |
| `like`       | +1                                       | `reward_like`      |
| `dislike`    | -1                                       | `reward_dislike`   |
| `export`     | +0.8                                     | `reward_export`    |
| `share`      | +0.8 (same as export)                    | `reward_export`    |
| `regenerate` | -0.3 (asked for a new draft right away)  | `reward_regenerate`|
| `reject`     | -1 (a reviewer rejected it)              | `reward_reject`    |
| `approve`    | +0.3 (a reviewer approved it)            | `reward_approve`   |

`record_event` stores the reward as a row linked to the item, the version and
the strategy that earned it, and teaches the agent when the item's strategy was
logged. It does not store the rating itself (that is `Store.add_rating`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.errors import InvalidInputError
from utils.settings import Settings

if TYPE_CHECKING:
    from core.agent.agent import Agent

__all__ = ["EVENTS", "Reward", "reward_for", "record_event", "reward_review"]

LOG = logging.getLogger(__name__)
EVENTS = ("rating", "like", "dislike", "export", "share", "regenerate", "reject", "approve")


@dataclass(frozen=True)
class Reward:
    """One stored reward: which event, how much, and what it was credited to."""

    id: int
    item_id: int | None
    version_id: int | None
    choice_id: int | None
    strategy: str
    event: str
    value: float | None
    reward: float
    learned: bool


def reward_for(event: str, settings: Settings, *, stars: int | float | None = None) -> float:
    """The reward of one event; a rating needs `stars` in 1-5.

    Example: reward_for("rating", settings, stars=4) == 0.5
    """
    if event == "rating":
        if isinstance(stars, bool) or not isinstance(stars, (int, float)) or not 1 <= stars <= 5:
            raise InvalidInputError(f"A rating is 1 to 5 stars, not {stars!r}")
        return (float(stars) - 3.0) / 2.0
    table = {
        "like": settings.reward_like,
        "dislike": settings.reward_dislike,
        "export": settings.reward_export,
        "share": settings.reward_export,
        "regenerate": settings.reward_regenerate,
        "reject": settings.reward_reject,
        "approve": settings.reward_approve,
    }
    if event not in table:
        raise InvalidInputError(f"Unknown reward event {event!r}; use one of {', '.join(EVENTS)}")
    return float(table[event])


def record_event(
    agent: Agent,
    event: str,
    item_id: int,
    *,
    version_id: int | None = None,
    stars: int | float | None = None,
    user: str = "",
) -> Reward:
    """Turn an event on an item into a stored reward and teach the agent with it.

    The reward is credited to the strategy logged for the item (the latest
    choice linked to it). An item with no logged choice still gets its reward
    row (strategy ""), so nothing is lost, but the agent learns nothing from it.
    """
    reward = reward_for(event, agent.settings, stars=stars)
    store = agent.store
    store.get_item(item_id)  # NotFoundError naming the fix for a missing item
    if version_id is not None and store.get_version(version_id).item_id != item_id:
        raise InvalidInputError(f"Version {version_id} does not belong to item {item_id}")
    choice = agent.choice_for_item(item_id)
    value = float(stars) if stars is not None else None
    if choice is None:
        reward_id = agent.log_reward(
            reward, event=event, item_id=item_id, version_id=version_id, value=value, user=user
        )
        return Reward(reward_id, item_id, version_id, None, "", event, value, reward, False)
    step = agent.learn(
        choice.context,
        choice,
        reward,
        event=event,
        item_id=item_id,
        version_id=version_id,
        value=value,
        user=user,
    )
    return Reward(
        step.reward_id, item_id, version_id, choice.id, choice.strategy.key, event, value, reward, True
    )


REVIEW_EVENTS = {"approve": "approve", "edit_and_approve": "approve", "reject": "reject"}


def reward_review(
    store: Any,
    item_id: int,
    action: str,
    *,
    version_id: int | None = None,
    reviewer: str = "",
    settings: Settings | None = None,
) -> Reward | None:
    """Reward a reviewer's decision (approve or edit-and-approve: approve; reject: reject); never raises.

    Other actions (send back) are not rewarded. Settings default to the environment's.
    """
    event = REVIEW_EVENTS.get(action)
    if event is None:
        return None
    from core.agent.agent import Agent
    from utils.settings import load_settings

    try:
        agent = Agent.from_store(store, settings or load_settings())
        return record_event(agent, event, item_id, version_id=version_id, user=reviewer)
    except Exception as exc:  # a review must never fail because the agent could not learn from it
        LOG.warning("Review reward for item %s not recorded: %s", item_id, exc)
        return None
