"""AppTest of the Dashboard page: empty state, charts, drift banner, drill-down to items, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import build_services
from tests.eventgen import GenParams, generate_events, write_events
from tests.fakes import FakeEmbedder
from tests.seed import seed_item
from utils.metrics import clear_memory_cache

PAGE = Path(__file__).resolve().parent.parent / "pages" / "dashboard.py"
START = datetime(2026, 11, 1, tzinfo=UTC)


class _NoChain:
    def status(self):
        return []


def _services(settings):
    return build_services(settings, chain=_NoChain(), embedder=FakeEmbedder())


def _app(services) -> AppTest:
    clear_memory_cache()
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["herald_services"] = services
    return at.run()


@pytest.fixture
def populated(settings):
    """A log with a quality drop in the last day, and the items it names stored in SQLite."""
    services = _services(settings)
    log = settings.log_dir / "events.jsonl"
    write_events(log, generate_events(150, start=START, span_h=71, seed=1, first_item=1))
    write_events(
        log,
        generate_events(60, start=START + timedelta(hours=72), span_h=23, seed=2, first_item=151,
                        params=GenParams(quality_mean=35)),
    )  # fmt: skip
    source_id = services.store.add_source("local", "/projects/lumen", "abc", 3, [])
    for i in range(1, 211):
        seed_item(
            services.store, f"post {i}", title=f"Post number {i}", source_id=source_id if i > 100 else None
        )
    return services, source_id


def test_empty_state_says_what_will_appear_and_how(settings):
    at = _app(_services(settings))
    assert not at.exception
    text = " ".join(i.value for i in at.info)
    assert "No events yet" in text and "Create" in text and "python -m core generate" in text


def test_charts_banner_and_drill_down(populated):
    services, _ = populated
    at = _app(services)
    assert not at.exception
    banners = [e.value for e in at.error]
    assert any("Drift alert" in b and "quality" in b for b in banners)
    assert (services.settings.log_dir / "alerts.jsonl").exists()
    assert any(m.label == "Posts" and m.value == "210" for m in at.metric)
    at.selectbox(key="drill_chart").set_value("moderation").run()
    assert not at.exception
    point = at.selectbox(key="drill_point")
    assert point.options and "level" in point.options[0]
    text = " ".join(m.value for m in at.markdown)
    assert "](library?item=" in text and "Post number" in text


def test_drill_down_on_ratings_lists_linked_items(populated):
    services, _ = populated
    at = _app(services)
    at.selectbox(key="drill_chart").set_value("ratings_dist").run()
    at.selectbox(key="drill_point").set_value("stars 5").run()
    assert not at.exception
    links = [m.value for m in at.markdown if "library?item=" in m.value]
    assert links and "Post number" in links[-1]


def test_provider_and_source_filters(populated):
    services, source_id = populated
    at = _app(services)
    at.selectbox(key="dash_provider").set_value("template").run()
    assert not at.exception
    posts = next(m for m in at.metric if m.label == "Posts")
    assert 0 < int(posts.value.replace(",", "")) < 210
    at.selectbox(key="dash_provider").set_value("All providers").run()
    source_label = next(o for o in at.selectbox(key="dash_source").options if o.startswith(f"#{source_id}"))
    at.selectbox(key="dash_source").set_value(source_label).run()
    assert not at.exception
    posts = next(m for m in at.metric if m.label == "Posts")
    assert posts.value == "110"


def test_period_with_no_events_shows_empty_state(populated):
    services, _ = populated
    at = _app(services)
    at.selectbox(key="dash_period").set_value("Last 24 hours").run()  # the generated log is from Nov 2026
    assert not at.exception


def test_malformed_lines_and_budget_are_reported(settings):
    services = _services(settings)
    log = settings.log_dir / "events.jsonl"
    write_events(log, generate_events(40, start=START, seed=3))
    with open(log, "a") as fh:
        fh.write("this is not json\n")
    at = _app(services)
    assert not at.exception
    assert any("not JSON" in w.value for w in at.warning)


def test_byte_budget_is_shown_on_the_page(settings):
    from utils.settings import load_settings

    small = load_settings(metrics_max_bytes=20_000)
    log = small.log_dir / "events.jsonl"
    write_events(log, generate_events(200, start=START, seed=4))
    at = _app(_services(small))
    assert not at.exception
    assert any("read the newest" in w.value and "HERALD_METRICS_MAX_BYTES" in w.value for w in at.warning)
    assert any("byte budget" in c.value for c in at.caption)
