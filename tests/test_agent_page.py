"""AppTest: the Create page's strategy panel (strategy, why, Q-values) and its like/dislike buttons."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from chains.providers import build_chain
from core.agent import agent_for
from core.services import build_services
from tests.fakes import FakeEmbedder
from utils.settings import load_settings

PAGE = Path(__file__).resolve().parent.parent / "pages" / "create.py"


def test_create_page_shows_the_strategy_and_likes_reward_it(settings):
    services = build_services(
        settings, embedder=FakeEmbedder(), chain=build_chain(load_settings(providers=("template",)))
    )
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["herald_services"] = services
    at.run()
    next(b for b in at.button if str(b.label).startswith("Try: Sample project")).click().run()
    assert not at.exception
    item_id = at.session_state["create_last_item_id"]
    choice = agent_for(services).choice_for_item(item_id)
    assert choice is not None
    assert any(s.value == "Strategy" for s in at.subheader)
    assert any("Why this strategy?" in m.value for m in at.markdown)
    assert {m.label for m in at.metric} >= {"Hook", "Hashtags", "Length", "Exploration now"}
    next(b for b in at.button if str(b.label).startswith("👍")).click().run()
    assert not at.exception
    assert any("like +1.0" in s.value for s in at.success)
    rows = services.store.query("SELECT event, strategy FROM agent_rewards WHERE item_id = ?", (item_id,))
    assert rows == [{"event": "like", "strategy": choice.strategy.key}]
