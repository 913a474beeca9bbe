"""AppTest for the Create page: demo source -> generate -> draft, passages, exports, rating, refine.

Services are preset in session state (fake embedder, real template provider,
real SQLite under tmp_path), so the page runs the real pipeline quickly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chains.providers import build_chain
from core.services import build_services
from tests.fakes import FakeEmbedder
from utils.settings import load_settings

PAGE = Path(__file__).resolve().parent.parent / "pages" / "create.py"
SERVICES_KEY = "herald_services"


@pytest.fixture
def services(settings):
    template = load_settings(providers=("template",))
    return build_services(settings, embedder=FakeEmbedder(), chain=build_chain(template))


def _app(services) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state[SERVICES_KEY] = services
    return at.run()


def _button(at: AppTest, label_start: str):
    return next(b for b in at.button if str(b.label).startswith(label_start))


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.code] + [t.value for t in at.text]
    parts += [str(m.value) for m in at.metric] + [e.value for e in at.error] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def test_first_visit_shows_the_picker_and_a_hint(services):
    at = _app(services)
    assert not at.exception
    assert at.title[0].value == "Create a post"
    assert any("Sample project" in str(b.label) for b in at.button)
    assert "press Generate" in _texts(at)


def test_demo_click_generates_and_shows_everything(services):
    at = _app(services)
    _button(at, "Try: Sample project").click().run()
    assert not at.exception
    item_id = at.session_state["create_last_item_id"]
    stored = services.store.latest_version(item_id)
    text = _texts(at)
    assert stored.text in [c.value for c in at.code]  # the full draft
    assert "…see more" in text  # the fold preview
    assert f"{len(stored.text):,} of 3,000 characters" in "\n".join(c.value for c in at.caption)
    assert "template" in text  # provider
    assert any("Hashtags" in m.value for m in at.markdown)
    estimate = next(m.value for m in at.markdown if m.value.startswith("**Engagement estimate**"))
    assert "★" in estimate and "80% band" in estimate and "drivers:" in estimate
    assert any(c.value.startswith("Prior from writing rules") for c in at.caption)  # labelled: no ratings yet
    frame = next(t.value for t in at.table if "excerpt" in t.value.columns)
    assert list(frame.columns[:3]) == ["path", "kind", "score"] and "README.md" in set(frame["path"])
    downloads = at.get("download_button")
    assert len(downloads) == 5
    assert not at.error


def test_rating_is_stored_with_the_version(services):
    at = _app(services)
    _button(at, "Try: Sample project").click().run()
    item_id = at.session_state["create_last_item_id"]
    version = services.store.latest_version(item_id)
    stars = next(r for r in at.radio if r.label == "Your rating")
    stars.set_value(5)
    next(t for t in at.text_input if t.label == "Comment (optional)").input("crisp")
    _button(at, "Save rating").click().run()
    assert not at.exception
    ratings = services.store.ratings(item_id)
    assert [(r.stars, r.comment, r.version_id) for r in ratings] == [(5, "crisp", version.id)]
    assert any("Saved" in s.value for s in at.success)


def test_refine_makes_a_new_version(services):
    at = _app(services)
    _button(at, "Try: Sample project").click().run()
    item_id = at.session_state["create_last_item_id"]
    first = services.store.latest_version(item_id)
    next(t for t in at.text_input if t.label == "Refine").input("make it shorter")
    _button(at, "Refine").click().run()
    assert not at.exception
    versions = services.store.versions(item_id)
    edit = next(v for v in versions if v.origin == "edit")
    assert edit.parent_id == first.id and services.store.get_version(first.id).text == first.text
    # the refinement passed the gate: it is current, or the guard's revision of it is
    latest = versions[-1]
    assert latest.id == edit.id or (latest.origin == "guard_revision" and latest.parent_id == edit.id)
    n = len(versions)
    assert any("Version" in str(m.label) and f"{n} of {n}" in str(m.value) for m in at.metric)


def test_bad_path_shows_an_error_not_a_traceback(services):
    at = _app(services)
    at.radio(key="source_mode").set_value("path").run()
    at.text_input(key="source_path").input("/definitely/not/here").run()
    _button(at, "Generate").click().run()
    assert not at.exception
    assert any("Source not found" in e.value for e in at.error)
    assert services.store.list_items() == []


def test_empty_upload_asks_for_files(services):
    at = _app(services)
    at.radio(key="source_mode").set_value("upload").run()
    _button(at, "Generate").click().run()
    assert not at.exception
    assert any("No files uploaded" in e.value for e in at.error)


def test_the_card_shows_its_sources_and_an_unticked_feature_is_left_out(services):
    at = _app(services)
    _button(at, "Try: Sample project").click().run()
    assert not at.exception
    first = at.session_state["create_last_item_id"]
    card = at.session_state["create_last_result"].card
    assert card is not None and card.features
    sources = [row for frame in at.dataframe for row in frame.value.to_dict("records") if "from" in row]
    assert any(r["field"] == "name" and r["from"] for r in sources)
    dropped = card.features[0]
    at.checkbox(key="card-feature-0").uncheck()
    next(b for b in at.button if "Write again from this card" in str(b.label)).click().run()
    assert not at.exception
    second = at.session_state["create_last_item_id"]
    assert second != first
    stored = services.store.versions(second)[0].data["card"]
    assert f"dropped feature: {dropped.value}" in stored["edits"]
    assert dropped.value not in [f["value"] for f in stored["features"]]
