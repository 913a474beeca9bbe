"""CLI `verify` and `guard`, the claims store, and the report component (AppTest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chains.guard import Claim, Evidence, GuardReport, Stage, check_post
from chains.providers import FallbackChain
from core import cli
from core.commands import guard as guard_cmd
from core.errors import NotFoundError
from core.guard.store import guard_report_for, load_guard_report, save_guard_report
from core.services import build_services
from core.store import Store
from tests.fakes import FakeEmbedder, FakeProvider
from tests.seed import seed_item, seed_version

SOURCE = "tinyqueue is a job queue for Python backed by SQLite. Current version: 2.3.0. Workers retry failed jobs 3 times."


@pytest.fixture
def fake_services(settings, monkeypatch):
    services = build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([FakeProvider()]))
    monkeypatch.setattr(guard_cmd, "_services", lambda: services)
    return services


def test_verify_reads_inline_sources_and_writes_scores(tmp_path: Path, fake_services):
    rows = [
        {"id": "a", "source": SOURCE, "claim": "tinyqueue is a job queue for Python backed by SQLite."},
        {"id": "b", "source": SOURCE, "claim": "tinyqueue 9.0.0 needs Redis at https://redis.example.io."},
        {"id": "c", "source": "", "claim": "Anything at all."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out.jsonl"
    assert cli.main(["verify", "--jsonl", str(src), "--out", str(out)]) == 0
    got = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(got) == {"a", "b", "c"}
    assert all(0.0 <= r["score"] <= 1.0 for r in got.values())
    assert got["a"]["verdict"] == "supported" and got["b"]["verdict"] == "unsupported"
    assert got["c"]["verdict"] == "unsupported" and got["a"]["score"] > got["b"]["score"]


def test_verify_bad_input_names_the_line(tmp_path: Path, fake_services, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "source": "x", "claim": "y"}\n{not json\n')
    assert cli.main(["verify", "--jsonl", str(bad), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "bad.jsonl:2" in capsys.readouterr().err
    missing = tmp_path / "missing.jsonl"
    missing.write_text('{"id": 1, "claim": "y"}\n')
    assert cli.main(["verify", "--jsonl", str(missing), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert cli.main(["verify", "--jsonl", str(tmp_path / "nope.jsonl"), "--out", "x"]) == 2


def test_guard_command_checks_a_post_against_a_project(tmp_path: Path, fake_services, sample_project, capsys):
    post = tmp_path / "post.txt"
    post.write_text(
        "A tiny, dependency-free job queue for Python, backed by SQLite.\n\nVersion 12.0.1 adds a Kafka backend.\n"
    )
    assert cli.main(["guard", "--source", str(sample_project), "--text-file", str(post), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    verdicts = [c["verdict"] for c in data["claims"]]
    assert verdicts == ["supported", "unsupported"]
    assert data["claims"][0]["evidence"][0]["path"] == "README.md"
    assert "12.0.1" not in data["revised_text"]
    assert cli.main(["guard", "--source", str(sample_project), "--text-file", str(post)]) == 0
    text = capsys.readouterr().out
    assert "confidence" in text and "NO " in text and "OK " in text
    assert (
        cli.main(["guard", "--source", str(sample_project), "--text-file", str(tmp_path / "none.txt")]) == 2
    )


def _report() -> GuardReport:
    draft = "tinyqueue uses SQLite. It also ships a Kafka backend."
    ev = (Evidence("tinyqueue is backed by SQLite.", "README.md", 3, 3, 0.9),)
    claims = (
        Claim("tinyqueue uses SQLite.", 0, 22, True, "supported", 0.81, ev, "support score 0.81"),
        Claim(
            "It also ships a Kafka backend.",
            23,
            53,
            True,
            "unsupported",
            0.12,
            ev,
            "evidence does not say this",
            "",
            "score",
        ),
    )
    return GuardReport(
        claims,
        0.5,
        "tinyqueue uses SQLite.",
        (claims[1].text,),
        ("1 dropped",),
        (Stage("specifics", True, "on"),),
        draft,
    )


def test_report_round_trips_through_the_store(settings):
    store = Store.open(None)
    item, version = seed_item(store, "tinyqueue uses SQLite. It also ships a Kafka backend.")
    with pytest.raises(NotFoundError):
        load_guard_report(store, version.id)
    revised = seed_version(
        store, item.id, "tinyqueue uses SQLite.", origin="guard_revision", parent_id=version.id
    )
    save_guard_report(store, version.id, _report(), revised_version_id=revised.id)
    loaded = load_guard_report(store, version.id)
    assert loaded == _report()
    assert guard_report_for(store, revised.id) == _report()
    assert store.query(
        "SELECT verdict FROM claims WHERE version_id = ? ORDER BY position", (version.id,)
    ) == [
        {"verdict": "supported"},
        {"verdict": "unsupported"},
    ]


def _component_script() -> None:
    from pages.components.guard import render_guard_report
    from tests.test_guard_cli import _report

    render_guard_report(_report(), min_confidence=0.7)


def test_report_component_renders_badges_evidence_and_diff():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_component_script).run(timeout=30)
    assert not at.exception
    assert any("below 70%" in w.value for w in at.warning)
    html = " ".join(m.value for m in at.markdown)
    assert "#fbd5d5" in html and "#d9f2dc" in html  # unsupported and supported highlights
    assert "<del" in html  # the diff draft -> revised
    assert any("unsupported" in e.label for e in at.expander)
    assert at.dataframe


def test_check_post_with_an_inline_source_matches_verify(settings):
    report = check_post(
        "tinyqueue is a job queue for Python backed by SQLite.", SOURCE, FakeEmbedder(), settings
    )
    assert report.claims[0].verdict == "supported" and report.confidence == 1.0
