"""The Library: listing, versions, diff, restore, feedback that rewards the agent and improves posts."""

from __future__ import annotations

import threading

import pytest

from core.agent import agent_for
from core.errors import InvalidInputError, NotFoundError
from core.posts.library import (
    apply_feedback,
    compare_versions,
    item_versions,
    list_library,
    rate_item,
    record_item_event,
    resolve_improvement,
    restore_version,
)
from core.services import build_services
from core.store import Store
from tests.fakes import FakeEmbedder
from tests.seed import seed_item, seed_version
from utils.settings import load_settings

# Every test here runs on SQLite and on a real PostgreSQL (marked `service`).
pytestmark = pytest.mark.usefixtures("db_backend")

PASSAGES = [
    {
        "text": "Lumen builds static sites from Markdown in under a second.",
        "kind": "readme",
        "path": "README.md",
        "score": 0.9,
        "start_line": 1,
        "end_line": 3,
    },
    {
        "text": "Install with pip install lumen and run lumen build.",
        "kind": "readme",
        "path": "README.md",
        "score": 0.8,
        "start_line": 4,
        "end_line": 6,
    },
]
CTX = {"project_kind": "cli", "audience": "developers", "tone": "friendly"}


@pytest.fixture
def services(isolated_dirs):
    settings = load_settings(providers=("template",))
    return build_services(settings, embedder=FakeEmbedder())


def _post(services, text="Lumen builds static sites from Markdown. #lumen", user="ana"):
    item, version = seed_item(
        services.store,
        text,
        title="Lumen post",
        created_by=user,
        data={"passages": PASSAGES, "brief": {"tone": "friendly"}, "strategy": {"hook": "story"}},
    )
    agent = agent_for(services)
    choice = agent.choose(CTX)
    agent.link_choice(choice.id, item.id, version.id)
    return item, version, choice


def test_list_with_filters_and_summary(services):
    item, version, choice = _post(services)
    other, _ = seed_item(services.store, "A rust database story", title="Rust", kind="video")
    services.store.set_status(other.id, "approved")
    rate_item(services, item.id, version.id, stars=4, user="ben")
    rows = list_library(services.store)
    assert [r.item.id for r in rows] == [other.id, item.id]
    mine = rows[1]
    assert (mine.versions, mine.ratings, mine.mean_stars, mine.strategy) == (1, 1, 4.0, choice.strategy.key)
    assert [r.item.id for r in list_library(services.store, status="approved")] == [other.id]
    assert [r.item.id for r in list_library(services.store, kind="post")] == [item.id]
    assert [r.item.id for r in list_library(services.store, search="database")] == [other.id]
    assert [r.item.id for r in list_library(services.store, created_by="ana")] == [item.id]
    assert list_library(services.store, origin="restore") == []


def test_versions_diff_and_restore_creates_a_new_version(services):
    item, v1, _ = _post(services, "Lumen is fast and simple.")
    v2 = seed_version(
        services.store, item.id, "Lumen is very fast and small.", origin="reviewer_edit", parent_id=v1.id
    )
    cmp_ = compare_versions(services.store, v1.id, v2.id)
    assert cmp_.diff.words_added == 2 and cmp_.diff.words_removed == 1
    assert "<del" in cmp_.html and "Version 2 (reviewer_edit)" in cmp_.html
    assert "-Lumen is fast and simple." in cmp_.unified
    restored = restore_version(services, item.id, 1, actor="ana").proposed
    assert restored.id not in (v1.id, v2.id) and restored.number == 3
    assert (restored.origin, restored.text, restored.parent_id) == ("restore", v1.text, v1.id)
    versions = item_versions(services.store, item.id)
    assert [v.version.text for v in versions] == [v1.text, v2.text, v1.text]  # nothing rewritten
    assert [v.origin_label for v in versions] == ["generated", "reviewer edit", "restore"]
    assert versions[2].restored_from == v1.id
    assert services.store.latest_version(item.id).id == restored.id


def test_compare_refuses_versions_of_two_items(services):
    a, va, _ = _post(services)
    b, vb, _ = _post(services)
    with pytest.raises(InvalidInputError):
        compare_versions(services.store, va.id, vb.id)
    with pytest.raises(InvalidInputError, match="has no version 7"):
        restore_version(services, a.id, 7)
    with pytest.raises(NotFoundError):
        restore_version(services, 9999, 1)


def test_rating_rewards_the_strategy_and_likes_too(services):
    item, version, choice = _post(services)
    result = rate_item(services, item.id, version.id, stars=5, liked=1, user="ben")
    assert [(r.event, r.reward) for r in result.rewards] == [("rating", 1.0), ("like", 1.0)]
    assert result.improvement is None
    agent = agent_for(services)
    visits = {v.key: v.visits for v in agent.strategy_values(CTX)}
    assert visits[choice.strategy.key] == 2


def test_low_rating_writes_a_pending_improvement(services):
    item, version, _ = _post(services)
    services.store.set_status(item.id, "approved")
    result = rate_item(services, item.id, version.id, stars=1, comment="shorter please", user="ben")
    assert result.rewards[0].reward == -1.0
    imp = result.improvement
    assert imp is not None and imp.origin == "improvement" and imp.state == "pending"
    assert imp.parent_id == version.id and imp.data["instruction"] == "shorter please"
    # The approved active version is untouched until someone accepts the improvement.
    assert services.store.latest_version(item.id).id == version.id
    assert services.store.get_item(item.id).status == "approved"
    accepted = resolve_improvement(services, item.id, True, actor="ana")
    assert accepted.current.id == imp.id and services.store.latest_version(item.id).id == imp.id
    # new text needs a new approval: the status now comes from the improvement's own checks
    assert accepted.status != "approved" and services.store.get_item(item.id).status == accepted.status
    with pytest.raises(InvalidInputError, match="no pending version"):
        resolve_improvement(services, item.id, False, actor="ana")


def test_bad_ratings_are_refused_and_nothing_is_stored(services):
    item, version, _ = _post(services)
    with pytest.raises(InvalidInputError):
        rate_item(services, item.id, version.id, stars=7)
    with pytest.raises(NotFoundError):
        rate_item(services, 424242, None, stars=3)
    assert services.store.ratings() == []
    assert agent_for(services).stats().rewards == 0


def test_feedback_for_a_missing_item_is_a_note_not_a_crash(services):
    result = apply_feedback(services, 9999, None, stars=4)
    assert result.rewards == () and "reward not recorded" in result.notes[0]
    assert record_item_event(services, "export", 9999) is None


def test_export_and_review_events_reward_the_strategy(services):
    item, version, choice = _post(services)
    assert record_item_event(services, "export", item.id, version_id=version.id).reward == pytest.approx(0.8)
    assert record_item_event(services, "reject", item.id).reward == -1.0
    assert agent_for(services).stats().transitions == 2


def test_two_sessions_rating_at_once_lose_nothing(isolated_dirs):
    settings = load_settings(providers=("template",))
    first = build_services(settings, embedder=FakeEmbedder())
    item, version, _ = _post(first)
    second = build_services(settings, embedder=FakeEmbedder(), store=Store.open(settings.database_target))
    errors = []

    def rate_many(svc, user):
        try:
            for i in range(15):
                rate_item(svc, item.id, version.id, stars=3 + i % 3, user=user)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=rate_many, args=(s, u)) for s, u in ((first, "ana"), (second, "ben"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(first.store.ratings(item.id)) == 30
    stats = agent_for(first).stats()
    assert stats.rewards == 30 and stats.transitions == 30


def test_library_rating_comments_are_moderated_and_an_abusive_one_steers_nothing(services):
    item, version, _ = _post(services)
    result = rate_item(services, item.id, version.id, stars=1, comment="You are a stupid idiot", user="bob")
    rows = services.store.query(
        "SELECT level FROM moderations WHERE rating_id = ? AND subject = 'rating_comment'",
        (result.rating.id,),
    )
    assert rows and rows[0]["level"] != "approved"
    assert result.improvement is None or "stupid" not in result.improvement.text
