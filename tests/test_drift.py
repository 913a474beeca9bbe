"""utils.drift: drift found when it is there, not when it is not (at about alpha), small windows, alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from tests.eventgen import GenParams, generate_events, write_events
from utils.drift import (
    chi2_test,
    detect_drift,
    ks_test,
    psi_categorical,
    psi_numeric,
    read_alerts,
    record_alerts,
)
from utils.metrics import clear_memory_cache, load_events

START = datetime(2026, 11, 1, tzinfo=UTC)
WINDOWS = dict(recent_h=24, reference_h=72, alpha=0.01, min_events=30)


def _frame(tmp_path, recent: GenParams, n_ref: int = 600, n_recent: int = 200, seed: int = 0):
    """72 h of reference traffic with default parameters, then 24 h with `recent` parameters."""
    clear_memory_cache()
    path = tmp_path / "events.jsonl"
    path.unlink(missing_ok=True)
    write_events(path, generate_events(n_ref, start=START, span_h=71.5, seed=seed))
    write_events(
        path,
        generate_events(n_recent, start=START + timedelta(hours=72), span_h=23.9, params=recent, seed=seed + 1,
                        first_item=100_000),
    )  # fmt: skip
    return load_events(tmp_path).frame


def _status(report, metric, test):
    return next(r for r in report.results if r.metric == metric and r.test == test)


def test_no_drift_when_nothing_changed(tmp_path):
    report = detect_drift(_frame(tmp_path, GenParams()), **WINDOWS)
    assert {r.status for r in report.results if r.test in ("ks", "chi2")} == {"ok"}
    assert not report.breaches


def test_quality_and_latency_drift_is_found_with_the_items_behind_it(tmp_path):
    report = detect_drift(_frame(tmp_path, GenParams(quality_mean=55, latency_mean_ms=1400)), **WINDOWS)
    quality = _status(report, "quality", "ks")
    latency = _status(report, "latency", "ks")
    assert quality.status == "drift" and quality.p_value < 0.01 and quality.detail == "worse"
    assert latency.status == "drift" and latency.psi > 0.1
    assert quality.items and all(i >= 100_000 for i in quality.items)  # recent items, worst first
    assert _status(report, "guard_confidence", "ks").status == "ok"


def test_categorical_drift_in_moderation_and_provider(tmp_path):
    shifted = GenParams(level_p=(0.5, 0.3, 0.15, 0.05), provider_p=(0.2, 0.5, 0.3))
    report = detect_drift(_frame(tmp_path, shifted), **WINDOWS)
    mod = _status(report, "moderation_level", "chi2")
    prov = _status(report, "provider", "chi2")
    assert mod.status == "drift" and mod.detail == "flagged"
    assert prov.status == "drift" and prov.detail == "local"
    assert mod.items and all(i >= 100_000 for i in mod.items)


def test_quality_floor_breach_without_distribution_change(tmp_path):
    frame = _frame(tmp_path, GenParams())
    report = detect_drift(frame, **WINDOWS, floors={"quality": 90.0, "latency": 100.0, "rating": 1.0})
    assert _status(report, "quality", "floor").status == "below_floor"
    assert _status(report, "latency", "floor").status == "below_floor"  # p95 over a 100 ms ceiling
    assert _status(report, "rating", "floor").status == "ok"


def test_small_windows_say_so_instead_of_guessing(tmp_path):
    frame = _frame(tmp_path, GenParams(quality_mean=20), n_recent=1)
    report = detect_drift(frame, **WINDOWS, floors={"quality": 90.0}, end=START + timedelta(hours=96))
    q = _status(report, "quality", "ks")
    assert q.status == "too_small" and q.n_recent == 1 and "HERALD_DRIFT_MIN_EVENTS" in q.message
    assert all(r.test != "floor" for r in report.results if r.metric == "quality")
    assert not report.breaches


def test_empty_frame_reports_no_data():
    report = detect_drift(pd.DataFrame(), **WINDOWS)
    assert {r.status for r in report.results} == {"no_data"}


def test_false_alarm_rate_is_near_alpha():
    """200 no-drift trials per test: the share of alarms should be close to alpha (0.05 here)."""
    rng = np.random.default_rng(12345)
    alpha, trials = 0.05, 200
    ks_alarms = chi_alarms = 0
    for _ in range(trials):
        ks_alarms += ks_test(rng.normal(0, 1, 80), rng.normal(0, 1, 240))[1] < alpha
        cats = np.array(["approved", "flagged", "rejected"])
        a = pd.Series(rng.choice(cats, 120, p=[0.7, 0.2, 0.1]))
        b = pd.Series(rng.choice(cats, 360, p=[0.7, 0.2, 0.1]))
        chi_alarms += chi2_test(a, b)[1] < alpha
    assert 0.01 <= ks_alarms / trials <= 0.10
    assert 0.01 <= chi_alarms / trials <= 0.10


def test_power_when_the_shift_is_real():
    rng = np.random.default_rng(7)
    hits = sum(ks_test(rng.normal(0.5, 1, 80), rng.normal(0, 1, 240))[1] < 0.05 for _ in range(100))
    assert hits >= 80


def test_psi_is_small_without_shift_and_large_with_it():
    rng = np.random.default_rng(1)
    ref = rng.normal(0, 1, 5000)
    assert psi_numeric(rng.normal(0, 1, 5000), ref) < 0.02
    assert psi_numeric(rng.normal(1, 1, 5000), ref) > 0.5
    a = pd.Series(["x"] * 50 + ["y"] * 50)
    assert psi_categorical(a, a) == pytest.approx(0.0, abs=1e-9)
    assert psi_categorical(pd.Series(["x"] * 90 + ["y"] * 10), a) > 0.3


def test_breaches_append_to_alerts_once(tmp_path):
    frame = _frame(tmp_path, GenParams(quality_mean=40))
    report = detect_drift(frame, **WINDOWS)
    n = record_alerts(report, tmp_path)
    assert n == len(report.breaches) >= 1
    assert record_alerts(report, tmp_path) == 0  # the same window is not alerted twice
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == n
    alert = json.loads(lines[0])
    assert {"metric", "test", "p_value", "psi", "items", "message", "recent_end"} <= set(alert)
    (tmp_path / "alerts.jsonl").open("a").write("not json\n")
    assert len(read_alerts(tmp_path)) == n
    assert read_alerts(tmp_path, since=datetime(2030, 1, 1, tzinfo=UTC)) == []


def test_an_improvement_is_a_note_not_an_alert(tmp_path):
    report = detect_drift(_frame(tmp_path, GenParams(quality_mean=90)), **WINDOWS)
    quality = _status(report, "quality", "ks")
    assert quality.status == "improved" and quality.detail == "better"
    assert not quality.breached
    assert record_alerts(report, tmp_path) == 0


def test_one_alert_per_breach_episode_even_as_new_events_arrive(tmp_path):
    frame = _frame(tmp_path, GenParams(quality_mean=40))
    first = detect_drift(frame, **WINDOWS)
    assert record_alerts(first, tmp_path) >= 1
    quality_alerts = [a for a in read_alerts(tmp_path) if a["metric"] == "quality" and a["test"] == "ks"]
    assert len(quality_alerts) == 1
    # a newer event moves the window end: still the same episode, so no second alert
    later = detect_drift(frame, **WINDOWS, end=frame["ts"].max().to_pydatetime() + timedelta(minutes=5))
    assert _status(later, "quality", "ks").breached
    assert record_alerts(later, tmp_path) == 0
    # back to normal ends the episode; a new breach after that alerts again
    calm = detect_drift(_frame(tmp_path, GenParams()), **WINDOWS)
    assert not _status(calm, "quality", "ks").breached
    record_alerts(calm, tmp_path)
    again = detect_drift(_frame(tmp_path, GenParams(quality_mean=40), seed=5), **WINDOWS)
    assert record_alerts(again, tmp_path) >= 1
    quality_alerts = [a for a in read_alerts(tmp_path) if a["metric"] == "quality" and a["test"] == "ks"]
    assert len(quality_alerts) == 2
