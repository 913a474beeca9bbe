"""utils.metrics and utils.aggregates: reading JSONL logs (bad lines, rotation, budget, cache) and aggregating."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from tests.eventgen import GenParams, generate_events, write_events
from utils import aggregates as agg
from utils.events import EventLog
from utils.metrics import clear_memory_cache, event_files, flush_cache_writes, load_events

START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_memory_cache()
    yield
    clear_memory_cache()


def _line(**fields) -> str:
    base = {"ts": "2026-11-01T10:00:00.000+00:00", "step": "generate", "item_id": 1, "provider": "local",
            "latency_ms": 10.0, "outcome": "ok", "scores": {}}  # fmt: skip
    base.update(fields)
    return json.dumps(base)


def test_no_logs_at_all_gives_an_empty_typed_frame(tmp_path):
    loaded = load_events(tmp_path / "missing")
    assert loaded.frame.empty
    assert loaded.report.events == 0 and loaded.report.files == ()
    assert str(loaded.frame["ts"].dtype).startswith("datetime64")
    assert "0 events" in loaded.report.summary()


def test_malformed_lines_are_skipped_and_counted(tmp_path):
    lines = [
        _line(item_id=1),
        "not json at all",
        "[1, 2, 3]",
        '{"ts": "2026-11-01T10:00:01+00:00", "step": "gen',  # cut in half
        _line(item_id=2, ts="2026-11-01T10:00:02.000+00:00"),
        json.dumps({"item_id": 3}),  # no ts, no step
        "",
    ]
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n")
    loaded = load_events(tmp_path)
    assert list(loaded.frame["item_id"]) == [1, 2]
    assert loaded.report.malformed == 3
    assert loaded.report.missing_required == 1
    assert "3 malformed" in loaded.report.summary()


def test_unknown_fields_are_kept_and_named(tmp_path):
    lines = [
        _line(item_id=1, shiny=3, colour="red", scores={"quality": 70, "novelty": 0.5}),
        _line(
            item_id=2, ts="2026-11-01T10:00:01+00:00", attempts=[{"p": "groq"}, {"p": "local"}], fallback=True
        ),
    ]
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n")
    loaded = load_events(tmp_path)
    f = loaded.frame
    assert {"shiny", "colour"} <= set(loaded.report.unknown_fields)
    assert f["shiny"].iloc[0] == 3.0 and f["colour"].iloc[0] == "red"
    assert f["score_quality"].iloc[0] == 70.0 and f["score_novelty"].iloc[0] == 0.5
    assert f["attempts"].iloc[1] == 2.0 and f["fallback"].iloc[1] == 1.0
    assert isinstance(f["step"].dtype, pd.CategoricalDtype)
    assert isinstance(f["provider"].dtype, pd.CategoricalDtype)
    assert f["latency_ms"].dtype == np.float64
    assert str(f["ts"].dtype) == "datetime64[us, UTC]"


def test_conflicting_types_between_lines_are_coerced(tmp_path):
    lines = [
        _line(item_id="7", latency_ms="12.5", weird=1),
        _line(item_id=8, latency_ms=3, weird="text", ts="2026-11-01T10:00:01Z"),
    ]
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n")
    f = load_events(tmp_path).frame
    assert list(f["item_id"]) == [7, 8]
    assert list(f["latency_ms"]) == [12.5, 3.0]


def test_clocks_that_go_backwards_are_sorted_and_counted(tmp_path):
    stamps = ["2026-11-01T10:00:05+00:00", "2026-11-01T10:00:01+00:00", "2026-11-01T10:00:09+00:00",
              "2026-11-01T10:00:02+00:00"]  # fmt: skip
    (tmp_path / "events.jsonl").write_text(
        "\n".join(_line(item_id=i, ts=t) for i, t in enumerate(stamps)) + "\n"
    )
    loaded = load_events(tmp_path)
    assert loaded.report.out_of_order == 2
    assert loaded.frame["ts"].is_monotonic_increasing
    assert list(loaded.frame["item_id"]) == [1, 3, 0, 2]


def test_rotated_files_are_read_oldest_first(tmp_path):
    log = EventLog(tmp_path, max_bytes=600)
    for i in range(12):
        log.emit("generate", item_id=i, provider="local", latency_ms=1.0)
    files = event_files(tmp_path)
    assert len(files) > 2 and files[-1].name == "events.jsonl"
    loaded = load_events(tmp_path)
    assert sorted(loaded.frame["item_id"]) == list(range(12))
    assert len(loaded.report.files) == len(files)


def test_byte_budget_reads_the_newest_bytes_in_chunks(tmp_path):
    write_events(tmp_path / "events.jsonl", generate_events(400, start=START, seed=1))
    size = (tmp_path / "events.jsonl").stat().st_size
    full = load_events(tmp_path, chunk_bytes=4096)
    clear_memory_cache()
    part = load_events(tmp_path, max_bytes=size // 4, chunk_bytes=4096)
    assert not full.report.truncated and part.report.truncated
    assert part.report.bytes_read == size // 4
    assert 0 < part.report.events < full.report.events
    assert part.report.malformed == 0  # the cut line is skipped, not counted as bad
    assert part.frame["ts"].min() > full.frame["ts"].min()
    assert part.frame["ts"].max() == full.frame["ts"].max()
    assert "byte budget" in part.report.summary()
    assert full.frame.equals(load_events(tmp_path, chunk_bytes=1 << 20).frame)


def test_cache_memory_then_disk_then_invalidated_by_a_change(tmp_path):
    logs, cache = tmp_path / "logs", tmp_path / "cache"
    write_events(logs / "events.jsonl", generate_events(50, start=START))
    first = load_events(logs, cache_dir=cache)
    assert first.report.source == "parsed"
    assert load_events(logs, cache_dir=cache).report.source == "memory-cache"
    clear_memory_cache()
    again = load_events(logs, cache_dir=cache)
    assert again.report.source == "disk-cache"
    pd.testing.assert_frame_equal(again.frame, first.frame)
    time.sleep(0.01)
    write_events(logs / "events.jsonl", generate_events(1, start=datetime(2026, 12, 1, tzinfo=UTC)))
    changed = load_events(logs, cache_dir=cache)
    assert changed.report.source == "parsed" and changed.report.events > first.report.events


def test_a_damaged_disk_cache_is_rebuilt(tmp_path):
    logs, cache = tmp_path / "logs", tmp_path / "cache"
    write_events(logs / "events.jsonl", generate_events(20, start=START))
    load_events(logs, cache_dir=cache)
    flush_cache_writes()
    clear_memory_cache()
    for p in cache.glob("*.arrow"):
        p.write_bytes(b"garbage")
    again = load_events(logs, cache_dir=cache)
    assert again.report.events > 0 and again.report.source == "parsed"


def test_aggregates_on_known_distributions(tmp_path):
    params = GenParams(provider_p=(1.0, 0.0, 0.0), level_p=(0.5, 0.5, 0.0, 0.0))
    write_events(
        tmp_path / "events.jsonl", generate_events(2000, start=START, span_h=48, params=params, seed=3)
    )
    frame = agg.with_bucket(load_events(tmp_path).frame, "D")
    lat = agg.latency_table(frame, "provider")
    groq = lat[lat["provider"] == "groq"].iloc[0]
    # lognormal(log 900, 0.5): median 900, p95 = 900 * exp(1.645 * 0.5)
    assert groq["p50"] == pytest.approx(900, rel=0.06)
    assert groq["p95"] == pytest.approx(900 * np.exp(1.645 * 0.5), rel=0.1)
    mod = agg.moderation_over_time(frame)
    assert set(mod["level"]) == {"approved", "flagged"}
    assert mod.groupby("level")["n"].sum().div(2000).tolist() == pytest.approx([0.5, 0.5], abs=0.04)
    dist = agg.ratings_distribution(frame)
    assert dist["stars"].tolist() == [1, 2, 3, 4, 5] and dist["n"].sum() > 800
    cost = agg.cost_by_provider(frame, {"groq": (1.0, 2.0)})
    row = cost.iloc[0]
    assert row["cost"] == pytest.approx((row["tokens_in"] + 2 * row["tokens_out"]) / 1000)
    summary = agg.summarise(frame)
    assert summary["posts"] == 2000 and summary["fallback_rate"] == 0.0
    by_step = agg.latency_percentiles(frame, "step")
    assert set(by_step["step"]) >= {"generate", "guard", "retrieve"}
    assert (by_step["p50"] <= by_step["p95"]).all() and (by_step["p95"] <= by_step["p99"]).all()


def test_aggregates_read_real_step_names_and_missing_steps(tmp_path):
    log = EventLog(tmp_path)
    log.emit("rate", item_id=1, scores={"stars": 4.0})
    log.emit("video_rating", item_id=2, scores={"stars": 2.0})
    log.emit("agent_reward", item_id=1, scores={"reward": 0.5})
    log.emit(
        "video_render",
        item_id=2,
        provider="ffmpeg",
        latency_ms=900,
        scores={"duration_s": 20.0, "render_s": 1.0},
    )
    log.emit(
        "provider_attempt", item_id=1, provider="groq", outcome="skipped", latency_ms=0.1, error="no key"
    )
    log.emit("provider_attempt", item_id=1, provider="local", outcome="error", latency_ms=5, error="boom")
    frame = agg.with_bucket(load_events(tmp_path).frame, "D")
    assert agg.ratings_distribution(frame)["n"].tolist() == [0, 1, 0, 1, 0]
    assert agg.reward_over_time(frame)["mean_reward"].iloc[0] == 0.5
    assert agg.renders_over_time(frame)["speed_x"].iloc[0] == 20.0
    rel = agg.provider_reliability(frame).set_index("provider")
    assert rel.loc["local", "errors"] == 1 and rel.loc["local", "last_error"] == "boom"
    assert agg.guard_over_time(frame).empty and agg.moderation_over_time(frame).empty
    assert agg.items_behind(frame, kind="rating", equals={"stars": 4}) == [1]


def test_one_event_window(tmp_path):
    (tmp_path / "events.jsonl").write_text(_line(item_id=5) + "\n")
    frame = agg.with_bucket(load_events(tmp_path).frame, "h")
    assert agg.latency_table(frame, "provider")["n"].tolist() == [1]
    assert agg.summarise(frame)["posts"] == 1


def test_rotated_files_get_their_own_cache_and_old_caches_are_pruned(tmp_path):
    logs, cache = tmp_path / "logs", tmp_path / "cache"
    log = EventLog(logs, max_bytes=2000)
    for i in range(30):
        log.emit("generate", item_id=i, provider="local", latency_ms=1.0)
    load_events(logs, cache_dir=cache)
    flush_cache_writes()
    rotated = len(event_files(logs)) - 1
    assert len(list(cache.glob("file-*.arrow"))) == rotated  # the live file is not cached on its own
    assert len(list(cache.glob("events-*.arrow"))) == 1
    log.emit("generate", item_id=99, provider="local", latency_ms=1.0)
    clear_memory_cache()
    assert 99 in set(load_events(logs, cache_dir=cache).frame["item_id"])
    flush_cache_writes()
    assert len(list(cache.glob("events-*.arrow"))) == 1


def test_a_runs_early_events_get_the_item_id_of_that_run(tmp_path):
    log = EventLog(tmp_path)
    log.emit("load_source", run_id="r1")
    log.emit("generate", provider="template", latency_ms=40, run_id="r1", scores={"quality": 80})
    log.emit("store", run_id="r1", item_id_created=7)
    log.emit("guard", item_id=7, run_id="r1", scores={"confidence": 0.9})
    log.emit("generate", provider="local", latency_ms=50, run_id="r2")  # a run that failed before storing
    log.emit("provider_attempt", provider="local", latency_ms=5)  # no run id
    f = load_events(tmp_path).frame
    assert f["item_id"].tolist()[:4] == [7, 7, 7, 7]
    assert f["item_id"].iloc[4:].isna().all()
    assert agg.items_behind(agg.with_bucket(f, "D"), kind="generate", equals={"provider": "template"}) == [7]
