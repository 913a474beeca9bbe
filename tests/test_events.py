"""Event log: one JSON line per step, timing, rotation, secrets scrubbed."""

import json

import pytest

from utils.events import EventLog


def test_emit_writes_one_line(tmp_path):
    log = EventLog(tmp_path)
    log.emit("generate", item_id=3, provider="template", latency_ms=12.5, scores={"quality": 70})
    lines = log.path.read_text().splitlines()
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["step"] == "generate" and event["item_id"] == 3 and event["scores"]["quality"] == 70


def test_step_records_errors_and_reraises(tmp_path):
    log = EventLog(tmp_path)
    with pytest.raises(ValueError):
        with log.step("index") as t:
            t.provider = "minilm"
            raise ValueError("boom")
    event = json.loads(log.path.read_text())
    assert event["outcome"] == "error" and "boom" in event["error"] and event["latency_ms"] >= 0


def test_rotation_by_size(tmp_path):
    log = EventLog(tmp_path, max_bytes=400)
    for i in range(20):
        log.emit("retrieve", item_id=i)
    rotated = sorted(tmp_path.glob("events.*.jsonl"))
    assert rotated, "no rotated file"
    total = sum(len(p.read_text().splitlines()) for p in [log.path, *rotated])
    assert total == 20
    assert all(p.stat().st_size <= 400 for p in [log.path, *rotated])


def test_secret_fields_are_not_logged(tmp_path):
    log = EventLog(tmp_path)
    log.emit("generate", groq_api_key="gsk_123", note="fine")
    text = log.path.read_text()
    assert "gsk_123" not in text and "fine" in text


def test_token_counts_are_logged_but_credentials_are_not(tmp_path):
    log = EventLog(tmp_path)
    log.emit("generate", tokens_in=120, tokens_out=80, github_token="ghp_secret", token="t0k", password="pw")
    event = json.loads(log.path.read_text())
    assert event["tokens_in"] == 120 and event["tokens_out"] == 80
    text = log.path.read_text()
    assert "ghp_secret" not in text and "t0k" not in text and '"pw"' not in text
