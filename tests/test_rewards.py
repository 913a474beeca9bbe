"""Events become rewards: the mapping, the stored rows and what the agent learns."""

from __future__ import annotations

import pytest

from core.agent import Agent
from core.agent.rewards import EVENTS, record_event, reward_for
from core.errors import InvalidInputError, NotFoundError
from tests.seed import seed_item
from utils.settings import load_settings

CTX = {"project_kind": "library", "audience": "developers", "tone": "friendly"}


@pytest.mark.parametrize(
    ("event", "stars", "expected"),
    [
        ("rating", 1, -1.0),
        ("rating", 2, -0.5),
        ("rating", 3, 0.0),
        ("rating", 5, 1.0),
        ("like", None, 1.0),
        ("dislike", None, -1.0),
        ("export", None, 0.8),
        ("share", None, 0.8),
        ("regenerate", None, -0.3),
        ("reject", None, -1.0),
        ("approve", None, 0.3),
    ],
)
def test_reward_table(event, stars, expected):
    assert reward_for(event, load_settings({}), stars=stars) == pytest.approx(expected)


def test_rewards_come_from_settings():
    settings = load_settings({"HERALD_REWARD_EXPORT": "0.5", "HERALD_REWARD_APPROVE": "0.1"})
    assert reward_for("export", settings) == 0.5 and reward_for("approve", settings) == 0.1
    assert set(EVENTS) >= {"rating", "like", "dislike", "export", "regenerate", "reject", "approve"}


@pytest.mark.parametrize("stars", [0, 6, -1, None, "5", True, 2.5 + 3])
def test_rating_out_of_range_is_refused(stars):
    with pytest.raises(InvalidInputError, match="1 to 5"):
        reward_for("rating", load_settings({}), stars=stars)


def test_unknown_event_is_refused():
    with pytest.raises(InvalidInputError, match="Unknown reward event"):
        reward_for("retweet", load_settings({}))


def test_record_event_links_item_version_and_strategy_and_teaches():
    agent = Agent.create(seed=1)
    item, version = seed_item(agent.store, "Post text")
    choice = agent.choose(CTX)
    agent.link_choice(choice.id, item.id, version.id)
    reward = record_event(agent, "rating", item.id, version_id=version.id, stars=5, user="ana")
    assert reward.learned and reward.reward == 1.0 and reward.strategy == choice.strategy.key
    row = agent.store.query("SELECT * FROM agent_rewards WHERE id = ?", (reward.id,))[0]
    assert (row["item_id"], row["version_id"], row["strategy"], row["event"], row["value"], row["user"]) == (
        item.id,
        version.id,
        choice.strategy.key,
        "rating",
        5.0,
        "ana",
    )
    assert agent.strategy_values(CTX)[0].visits in (0, 1)
    assert {v.key: v.visits for v in agent.strategy_values(CTX)}[choice.strategy.key] == 1


def test_record_event_without_a_logged_choice_keeps_the_reward():
    agent = Agent.create()
    item, _ = seed_item(agent.store, "Hand written")
    reward = record_event(agent, "export", item.id)
    assert not reward.learned and reward.reward == pytest.approx(0.8)
    assert agent.stats().rewards == 1 and agent.stats().transitions == 0


def test_record_event_for_a_missing_item_or_bad_rating_stores_nothing():
    agent = Agent.create()
    with pytest.raises(NotFoundError):
        record_event(agent, "like", 999)
    item, _ = seed_item(agent.store, "x")
    with pytest.raises(InvalidInputError):
        record_event(agent, "rating", item.id, stars=9)
    assert agent.stats().rewards == 0


def test_reviewer_decisions_reward_the_items_strategy(settings):
    from core import review
    from core.store import Store

    store = Store.open(settings.database_target)
    agent = Agent.from_store(store, settings, seed=0)
    rows = []
    for action in ("approve", "reject"):
        item, version = seed_item(store, f"Post to {action}")
        choice = agent.choose(CTX)
        agent.link_choice(choice.id, item.id, version.id)
        if action == "approve":
            review.approve(store, item.id, "rita")
        else:
            review.reject(store, item.id, "rita", "off-brand")
        rows.append(
            store.query("SELECT event, reward, strategy, user FROM agent_rewards ORDER BY id DESC LIMIT 1")[0]
        )
    assert [(r["event"], r["reward"], r["user"]) for r in rows] == [
        ("approve", 0.3, "rita"),
        ("reject", -1.0, "rita"),
    ]
    assert agent.stats().transitions == 2
