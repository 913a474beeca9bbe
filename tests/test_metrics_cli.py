"""`python -m core metrics`: the dashboard's aggregates, drift and alerts as text or JSON; bad dates exit 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from core.cli import main
from tests.eventgen import GenParams, generate_events, write_events
from utils.metrics import clear_memory_cache

START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh():
    clear_memory_cache()
    yield
    clear_memory_cache()


@pytest.fixture
def logged(settings):
    log = settings.log_dir / "events.jsonl"
    write_events(log, generate_events(300, start=START, span_h=71, seed=1))
    write_events(
        log,
        generate_events(120, start=START + timedelta(hours=72), span_h=23, seed=2, first_item=1000,
                        params=GenParams(quality_mean=40)),
    )  # fmt: skip
    with open(log, "a") as fh:
        fh.write("{broken\n")
    return settings


def test_metrics_json_has_the_same_aggregates_the_page_shows(logged, capsys):
    assert main(["metrics", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["read"]["malformed_lines"] == 1
    assert data["summary"]["posts"] == 420
    providers = {r["provider"] for r in data["latency_by_provider"]}
    assert providers == {"groq", "local", "template"}
    assert all(r["p50"] <= r["p95"] <= r["p99"] for r in data["latency_by_provider"])
    assert 0 < data["summary"]["fallback_rate"] < 1
    assert set(data["summary"]["moderation_levels"]) <= {"approved", "flagged", "review_required", "rejected"}
    quality = next(d for d in data["drift"] if d["metric"] == "quality" and d["test"] == "ks")
    assert quality["status"] == "drift" and quality["items"]
    assert any(a["metric"] == "quality" for a in data["alerts"])
    assert sum(r["n"] for r in data["ratings"]) == data["summary"]["ratings"]


def test_metrics_period_filter_and_text_output(logged, capsys):
    assert main(["metrics", "--since", "2026-11-04", "--until", "2026-11-04T23:59"]) == 0
    out = capsys.readouterr().out
    assert "Latency per provider" in out and "Drift:" in out
    assert main(["metrics", "--json", "--since", "2026-11-04"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["posts"] == 120


def test_metrics_with_no_logs_says_how_to_make_some(settings, capsys):
    assert main(["metrics"]) == 0
    out = capsys.readouterr().out
    assert "No events" in out and "python -m core generate" in out


@pytest.mark.parametrize(
    "argv, words",
    [
        (["metrics", "--since", "yesterday"], "--since"),
        (["metrics", "--since", "2026-11-05", "--until", "2026-11-01"], "swap"),
    ],
)
def test_bad_dates_exit_2_with_a_reason(settings, capsys, argv, words):
    assert main(argv) == 2
    assert words in capsys.readouterr().err
