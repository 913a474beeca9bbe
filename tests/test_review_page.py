"""AppTest of pages/review.py: the queue, a required reviewer name, approve and reject."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import review
from core.moderation import Moderation, Reason
from core.services import build_services
from tests.seed import seed_item, seed_moderation

PAGE = Path(__file__).resolve().parent.parent / "pages" / "review.py"


def _mod(category: str, level: str) -> Moderation:
    return Moderation(
        level=level,
        scores={"toxicity": 0.7, category: 0.8},
        reasons=(Reason(category, "You are a clown.", 0.8, "profanity", level),),
        backends_ran=("profanity", "rules"),
        notes=("removed 1 hidden or control characters before scoring",),
    )


@pytest.fixture
def seeded(settings):
    services = build_services(settings)
    ids = []
    for text, category, level in [
        ("New release. You are a clown.", "insult", "flagged"),
        ("Call now. You are a clown.", "spam", "review_required"),
    ]:
        item, version = seed_item(services.store, text, title=f"{category} post")
        seed_moderation(services.store, item.id, _mod(category, level), version_id=version.id)
        ids.append(item.id)
    return services, ids


def _run(services) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["herald_services"] = services
    return at.run()


def test_queue_shows_counts_items_and_highlights(seeded) -> None:
    services, ids = seeded
    at = _run(services)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Flagged"] == "1" and metrics["Review required"] == "1"
    assert metrics["Oldest waiting"].endswith(("min", "h", "d"))
    headers = [s.value for s in at.subheader]
    assert f"#{ids[0]} · insult post" in headers and f"#{ids[1]} · spam post" in headers
    assert any("<mark" in m.value and "You are a clown." in m.value for m in at.markdown)
    at.selectbox[0].select("spam").run()
    assert [s.value for s in at.subheader] == [f"#{ids[1]} · spam post"]


def test_actions_need_a_name_then_approve_and_reject(seeded) -> None:
    services, (a, b) = seeded
    at = _run(services)
    at.button(key=f"approve_{a}").click().run()
    assert not at.exception
    assert any("reviewer name is required" in e.value for e in at.error)
    assert services.store.get_item(a).status == "flagged"

    at.text_input(key="reviewer_name").input("Ada").run()
    at.button(key=f"approve_{a}").click().run()
    assert not at.exception
    assert services.store.get_item(a).status == "approved"
    assert any("Approved" in s.value for s in at.success)

    at.button(key=f"reject_{b}").click().run()
    assert any("Say why you reject" in e.value for e in at.error)
    at.text_input(key=f"note_{b}").input("spam campaign").run()
    at.button(key=f"reject_{b}").click().run()
    assert not at.exception
    assert services.store.get_item(b).status == "rejected"
    assert review.review_history(services.store, b)[-1].note == "spam campaign"
    assert any("Nothing waiting" in i.value for i in at.info)


def test_edit_and_approve_from_the_page(seeded) -> None:
    services, (a, _b) = seeded
    at = _run(services)
    at.text_input(key="reviewer_name").input("Bo").run()
    at.text_area(key=f"edit_{a}").input("New release with a faster index.").run()
    at.button(key=f"edit_approve_{a}").click().run()
    assert not at.exception
    assert [v.origin for v in services.store.versions(a)] == ["generated", "reviewer_edit"]
    assert services.store.get_item(a).status == "approved"


def _component_app() -> None:
    import streamlit as st

    from pages.components.moderation import render_moderation

    render_moderation(st.session_state["stored"])


@pytest.mark.parametrize(
    ("level", "kind"), [("flagged", "warning"), ("review_required", "info"), ("rejected", "error")]
)
def test_create_page_moderation_notice(seeded, level: str, kind: str) -> None:
    services, (a, _b) = seeded
    seed_moderation(services.store, a, _mod("insult", level))
    at = AppTest.from_function(_component_app, default_timeout=30)
    at.session_state["stored"] = review.latest_moderation(services.store, a)
    at.run()
    assert not at.exception
    boxes = getattr(at, kind)
    assert len(boxes) == 1 and level.split("_")[0] in boxes[0].value.lower()
