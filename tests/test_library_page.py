"""AppTest of pages/library.py over a real database in the test's data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.agent import Agent
from core.gate import ProposedVersion, submit_version
from core.services import build_services
from core.store import Store
from tests.seed import seed_item, seed_version
from utils.settings import load_settings

PAGE = Path(__file__).resolve().parent.parent / "pages" / "library.py"
CTX = {"project_kind": "cli", "audience": "developers", "tone": "friendly"}


@pytest.fixture
def seeded(isolated_dirs):
    # pages.common caches Services with an underscore-named key, which st.cache_resource does not
    # hash, so a cache from another test's data folder would be reused: start from an empty cache.
    st.cache_resource.clear()
    settings = load_settings()
    store = Store.open(settings.database_target)
    agent = Agent.from_store(store, settings, seed=0)
    item, v1 = seed_item(store, "Lumen builds sites fast. #lumen", title="Lumen launch", created_by="ana")
    seed_version(
        store, item.id, "Lumen builds static sites very fast. #lumen", origin="reviewer_edit", parent_id=v1.id
    )
    submit_version(  # a proposed improvement passes the gate like any version, then waits
        build_services(settings, store=store),
        ProposedVersion("A pending improvement of Lumen.", "improvement", parent_id=v1.id, pending=True),
        item_id=item.id,
    )
    choice = agent.choose(CTX)
    agent.link_choice(choice.id, item.id, v1.id)
    agent.learn(CTX, choice, 0.5, item_id=item.id)
    store.add_rating(item.id, version_id=v1.id, stars=4, user="ben")
    other, _ = seed_item(store, "Rust storage engine", title="Rust post", kind="video")
    store.close()
    return settings, item, other


def _run(target) -> AppTest:
    """Run an AppTest, or rerun after a widget interaction; fail on any exception."""
    at = target.run(timeout=60)
    at = at if isinstance(at, AppTest) else target
    assert not at.exception, at.exception
    return at


def test_library_page_lists_diffs_restores_and_trains(seeded):
    settings, item, other = seeded
    at = _run(AppTest.from_file(str(PAGE), default_timeout=60))
    assert at.selectbox(key="lib_item").value == other.id  # newest first
    _run(at.selectbox(key="lib_item").set_value(item.id))
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "waiting for your review" in text
    assert "Why this strategy?" in text
    assert "words added" in text
    assert any("Greedy" in m.label for m in at.metric)
    # Restore version 1 as a new version.
    at.selectbox(key=f"restore_{item.id}").set_value(1)
    _run(at.button(key=f"restore_btn_{item.id}").click())
    store = Store.open(settings.database_target)
    versions = store.versions(item.id)
    assert versions[-1].origin == "restore" and versions[-1].text == versions[0].text
    assert len(versions) == 4
    # Accept the pending improvement.
    pending = [v for v in versions if v.state == "pending"][0]
    _run(at.button(key=f"pending-True-{pending.id}").click())
    assert store.get_version(pending.id).state == "active"
    # Train now replays the stored reward.
    _run(at.button(key="train_now").click())
    assert any("Replayed 1 rewards" in s.value for s in at.success)


def test_library_page_feedback_form_rewards_the_agent(seeded):
    settings, item, _ = seeded
    at = _run(AppTest.from_file(str(PAGE), default_timeout=60))
    _run(at.selectbox(key="lib_item").set_value(item.id))
    at.radio[0].set_value(5)
    at.radio[1].set_value("👍 like")
    at.text_input[-2].input("great")  # comment
    _run(at.get("form_submit_button")[0].click())
    assert any("Reward for the agent" in s.value for s in at.success), [s.value for s in at.success]
    store = Store.open(settings.database_target)
    rewards = store.query("SELECT event, reward FROM agent_rewards ORDER BY id")
    assert [r["event"] for r in rewards][-2:] == ["rating", "like"]


def test_library_page_filters_and_empty_state(seeded):
    at = _run(AppTest.from_file(str(PAGE), default_timeout=60))
    at.text_input(key="lib_search").input("nothing-matches-this")
    _run(at)
    assert any("No items match" in i.value for i in at.info)


def test_library_link_with_item_query_opens_that_item(seeded):
    settings, item, other = seeded
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.query_params["item"] = str(item.id)
    at = _run(at)
    assert at.selectbox(key="lib_item").value == item.id  # not the newest, which is `other`
    assert any(f"Versions of item {item.id}" in h.value for h in at.subheader)
