"""The agent inside the post pipeline: choices logged and linked, ratings and exports rewarded."""

from __future__ import annotations

import pytest

from chains.types import Brief, Strategy
from core.agent import agent_for, strategies
from core.posts.pipeline import SourceInput, export_item, generate_post, rate_version
from core.services import build_services
from tests.fakes import FakeEmbedder
from utils.settings import load_settings


@pytest.fixture
def services(isolated_dirs):
    return build_services(load_settings(providers=("template",)), embedder=FakeEmbedder())


def test_generate_post_lets_the_agent_choose_and_links_the_choice(services):
    result = generate_post(SourceInput("demo", "lumen"), Brief(tone="friendly", audience="general"), services)
    choice = result.choice
    assert choice is not None and choice.strategy in strategies()
    assert result.draft.strategy == choice.strategy
    assert choice.state == "cli|medium|few|general|friendly"  # Lumen's README reads as a CLI tool
    stored = agent_for(services).choice_for_item(result.item_id)
    assert stored.id == choice.id and stored.propensity == pytest.approx(choice.propensity)


def test_a_creator_strategy_is_logged_with_propensity_one(services):
    mine = Strategy("story", "nop", "short")
    result = generate_post(SourceInput("demo", "lumen"), Brief(tone="casual"), services, strategy=mine)
    assert result.choice.propensity == 1.0 and result.choice.strategy.key == mine.key
    assert result.draft.strategy.key == mine.key


def test_rating_rewards_and_a_low_rating_writes_a_pending_improvement(services):
    result = generate_post(SourceInput("demo", "lumen"), Brief(), services)
    agent = agent_for(services)

    def shape():
        return [(v.origin, v.state) for v in services.store.versions(result.item_id)]

    before = shape()  # "generated", plus a "guard_revision" when the guard rewrote a claim
    assert before[0] == ("generated", "active")
    latest = services.store.latest_version(result.item_id).id
    rate_version(services, result.item_id, result.version_id, 5, "great")
    assert shape() == before  # a good rating adds no version
    rate_version(services, result.item_id, result.version_id, 1, "shorter, please")
    after = shape()  # the improvement passed the gate: it waits, with the guard's revision when it made one
    assert after[: len(before) + 1] == [*before, ("improvement", "pending")]
    assert all(state == "pending" for _, state in after[len(before) :])
    assert (
        services.store.latest_version(result.item_id).id == latest
    )  # a pending improvement is not the latest
    rewards = services.store.query("SELECT event, value, reward, strategy FROM agent_rewards ORDER BY id")
    assert [(r["event"], r["reward"]) for r in rewards] == [("rating", 1.0), ("rating", -1.0)]
    assert {r["strategy"] for r in rewards} == {result.choice.strategy.key}
    assert agent.stats().transitions == 2


def test_export_is_rewarded(services):
    result = generate_post(SourceInput("demo", "lumen"), Brief(), services)
    export_item(services, result.item_id, "markdown")
    rows = services.store.query("SELECT event, reward, item_id FROM agent_rewards")
    assert rows == [{"event": "export", "reward": pytest.approx(0.8), "item_id": result.item_id}]


def test_regenerating_right_away_penalises_the_previous_draft(services):
    first = generate_post(SourceInput("demo", "lumen"), Brief(), services, created_by="ana")
    second = generate_post(SourceInput("demo", "lumen"), Brief(), services, created_by="ana")
    rows = services.store.query("SELECT event, reward, item_id FROM agent_rewards")
    assert rows == [{"event": "regenerate", "reward": pytest.approx(-0.3), "item_id": first.item_id}]
    # A rated draft is not a quick regenerate.
    rate_version(services, second.item_id, second.version_id, 4)
    generate_post(SourceInput("demo", "lumen"), Brief(), services, created_by="ana")
    events = [r["event"] for r in services.store.query("SELECT event FROM agent_rewards ORDER BY id")]
    assert events == ["regenerate", "rating"]
