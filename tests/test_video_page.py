"""AppTest of pages/video.py: paste a script, edit, render in the background, rate, accept."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parent.parent / "pages" / "video.py"


@pytest.fixture(autouse=True)
def fresh_services_cache():
    """pages.common caches Services with an underscore key that Streamlit does not hash; start clean."""
    from pages.common import _services_for

    _services_for.clear()
    yield
    _services_for.clear()


def _run_until(at: AppTest, done, timeout: float = 60.0) -> AppTest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run(timeout=30)
        assert not at.exception
        if done(at):
            return at
        time.sleep(0.3)
    raise AssertionError("the page did not reach the expected state in time")


def test_video_page_renders_a_pasted_script(tmp_path):
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.run()
    assert not at.exception
    at.text_area(key="video_script").set_value("First scene of the clip\nSecond scene")
    at.button(key="video_make").click().run()
    assert not at.exception
    assert any("Storyboard" in s.value for s in at.subheader)
    at.selectbox(key="video_quality").set_value("Preview (320x180 / 180x320, 12 fps)")
    at.button(key="video_render").click().run()
    assert not at.exception
    at = _run_until(at, lambda a: "video_result" in a.session_state)
    result = at.session_state["video_result"]
    assert (result["width"], result["height"]) == (320, 180)
    assert Path(result["mp4"]).stat().st_size > 0
    assert any("Your video" in s.value for s in at.subheader)
    assert len(at.get("video")) == 1
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download MP4", "Download SRT", "Download PNG"]


def test_empty_script_shows_a_clear_error():
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.run()
    at.text_area(key="video_script").set_value("   \n  ")
    at.button(key="video_make").click().run()
    assert not at.exception
    assert any("empty" in e.value for e in at.error)


def test_pending_improvement_is_shown_as_a_diff_and_can_be_accepted(settings):
    from chains.providers import FallbackChain
    from core.services import build_services
    from core.video.service import prepare_video, rate_video, storyboard_of
    from tests.test_video_service import ScriptedProvider

    provider = ScriptedProvider()
    provider.answers.append("A sharper first scene\nSecond scene")
    services = build_services(settings, chain=FallbackChain([provider]))
    draft = prepare_video(services, script="First scene of the clip\nSecond scene")
    assert rate_video(services, draft.item_id, 1, "sharper opening").improvement is not None

    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["video_item"] = draft.item_id
    at.run()
    assert not at.exception
    assert any("Improved storyboard proposed" in s.value for s in at.subheader)
    diff = at.code[0].value
    assert "-First scene of the clip" in diff and "+A sharper first scene" in diff
    at.button(key="video_accept").click().run()
    assert not at.exception
    assert not any("Improved storyboard proposed" in s.value for s in at.subheader)
    assert storyboard_of(services, draft.item_id).lines() == ["A sharper first scene", "Second scene"]


def test_rating_form_saves_a_rating(settings):
    from core.services import build_services
    from core.video import VideoOptions
    from core.video.service import render_item_video

    services = build_services(settings)
    result = render_item_video(services, "Rate me\nPlease", VideoOptions(size=(160, 90), fps=4))
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.session_state["video_item"] = result.item_id
    at.session_state["video_result"] = result.to_dict()
    at.run()
    assert not at.exception
    at.radio(key="video_stars").set_value(5)
    at.text_area(key="video_comment").set_value("nice")
    submit = [b for b in at.button if b.label == "Send rating"]
    assert submit, "the rating form has a submit button"
    submit[0].click().run()
    assert not at.exception
    assert any("rating saved" in s.value for s in at.success)
    assert services.store.ratings(result.item_id)[0].stars == 5
