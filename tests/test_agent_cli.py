"""`python -m core agent ...` and `python -m core recommend ...` against a real database file."""

from __future__ import annotations

import json

from core.agent import Agent
from core.cli import main
from core.commands import recommend as recommend_cmd
from core.services import build_services
from core.store import Store
from tests.fakes import FakeEmbedder
from tests.seed import seed_item

CTX = {"audience": "general", "tone": "casual"}


def _seed(settings, n=12):
    agent = Agent.from_store(Store.open(settings.database_target), settings, seed=0)
    for i in range(n):
        choice = agent.choose(CTX)
        agent.learn(CTX, choice, 1.0 if i % 2 else -0.5)
    return agent


def test_agent_stats_train_evaluate_json(settings, capsys):
    _seed(settings)
    assert main(["agent", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["transitions"] == 12 and stats["choices"] == 12 and stats["corrupt_rows"] == []
    assert main(["agent", "train", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["transitions"] == 12
    assert main(["agent", "evaluate", "--json"]) == 0
    ope = json.loads(capsys.readouterr().out)
    assert ope["n"] == 12 and ope["logged_value"] == 0.25


def test_agent_stats_text_reports_corrupt_rows(settings, capsys):
    agent = _seed(settings, 3)
    with agent.store.transaction() as conn:
        conn.execute("UPDATE agent_q SET q = 'oops'")
    assert main(["agent", "stats"]) == 0
    out = capsys.readouterr().out
    assert "corrupt rows" in out and "not a number" in out


def test_agent_bad_action_exits_2(capsys):
    try:
        main(["agent", "dance"])
    except SystemExit as exc:
        assert exc.code == 2


def test_recommend_cli(settings, capsys, monkeypatch):
    services = build_services(settings, embedder=FakeEmbedder())
    monkeypatch.setattr(recommend_cmd, "_services", lambda: services)
    a, _ = seed_item(services.store, "python cli for markdown", title="Post A")
    b, _ = seed_item(services.store, "python cli for notes", title="Post B")
    services.store.add_rating(a.id, stars=5, user="ana")
    assert main(["recommend", "--user", "ana", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["item_id"] for r in data["recommendations"]["items"]] == [b.id]
    assert data["trending"][0]["item_id"] == a.id
    assert main(["recommend", "--user", "new"]) == 0
    assert "cold start" in capsys.readouterr().out
    assert main(["recommend", "--user", " "]) == 2
    assert "error:" in capsys.readouterr().err
