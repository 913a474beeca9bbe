"""core.dashboard: the review backlog, drill-down for every chart, filters, and real pipeline event shapes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.dashboard import CHARTS, DashboardQuery, build_dashboard, drill_down
from core.errors import InvalidInputError
from core.services import build_services
from pages.components.dashboard_charts import point_options
from tests.eventgen import generate_events, write_events
from tests.fakes import FakeEmbedder
from tests.seed import seed_item
from utils.metrics import clear_memory_cache

START = datetime(2026, 11, 1, tzinfo=UTC)


class _NoChain:
    def status(self):
        return []


@pytest.fixture
def services(settings):
    clear_memory_cache()
    yield build_services(settings, chain=_NoChain(), embedder=FakeEmbedder())
    clear_memory_cache()


def test_review_backlog_and_time_to_decision(services):
    store = services.store
    ids = [seed_item(store, f"post {i}", title=f"p{i}")[0].id for i in range(4)]
    for i in ids:
        store.set_status(i, "needs_review", reason="flagged by moderation")
    store.set_status(ids[0], "approved", actor="Ada")
    store.set_status(ids[1], "rejected", actor="Ada")
    d = build_dashboard(services)
    assert d.review.backlog == 2 and set(d.review.waiting) == {ids[2], ids[3]}
    assert d.review.decided == 2 and d.review.median_hours is not None and d.review.median_hours >= 0
    assert d.review.backlog_over_time["backlog"].iloc[-1] == 2


def test_every_chart_drills_down_to_stored_items(services):
    write_events(
        services.settings.log_dir / "events.jsonl", generate_events(120, start=START, span_h=30, seed=4)
    )
    for i in range(120):
        seed_item(services.store, f"post {i}", title=f"Post {i + 1}")
    d = build_dashboard(services)
    for chart in CHARTS:
        options = point_options(d, chart)
        assert options, chart
        refs = drill_down(services, d, chart, next(iter(options.values())))
        assert refs and all(r.exists and r.title.startswith("Post ") for r in refs), chart
    with pytest.raises(InvalidInputError):
        drill_down(services, d, "nope", {})


def test_real_pipeline_events_filter_by_source_and_provider(services):
    """Events shaped like core.posts.pipeline's: item ids arrive only after the store step, per run."""
    log, store = services.events, services.store
    for run, provider in (("r1", "template"), ("r2", "local")):
        sid = store.add_source("local", f"/p/{run}", run, 1, [])
        log.emit("load_source", run_id=run, location=f"/p/{run}")
        log.emit("record_source", run_id=run, source_id=sid)
        log.emit("provider_attempt", provider=provider, latency_ms=5.0, model=provider, task="post")
        log.emit(
            "generate", provider=provider, latency_ms=40, run_id=run, scores={"quality": 70}, fallback=False
        )
        item, _ = seed_item(store, "text", title=f"from {run}", source_id=sid)
        log.emit("store", run_id=run, item_id_created=item.id)
        log.emit("guard", item_id=item.id, run_id=run, scores={"confidence": 0.9, "unsupported_share": 0.1})
        log.emit("moderation", item_id=item.id, run_id=run, provider="profanity+rules", level="approved")
    d = build_dashboard(services)
    assert d.summary["posts"] == 2 and d.summary["guard_confidence"] == pytest.approx(0.9)
    assert d.provider_names == ("local", "template")
    only = build_dashboard(services, DashboardQuery(source_id=1))
    assert only.summary["posts"] == 1 and only.summary["moderation_levels"] == {"approved": 1.0}
    local = build_dashboard(services, DashboardQuery(provider="local"))
    assert local.summary["posts"] == 1 and local.summary["guard_checks"] == 1
    refs = drill_down(services, d, "latency_provider", {"bucket": None, "provider": "template"})
    assert [r.title for r in refs] == ["from r1"]


def test_period_that_ends_before_it_starts_is_refused(services):
    with pytest.raises(InvalidInputError, match="swap"):
        build_dashboard(services, DashboardQuery(since=datetime(2026, 2, 1), until=datetime(2026, 1, 1)))
