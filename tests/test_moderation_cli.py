"""`python -m core moderate --jsonl IN --out OUT`."""

from __future__ import annotations

import json
from pathlib import Path

from core.cli import main as cli_main


def test_moderate_cli_writes_levels_scores_and_reasons(tmp_path: Path, capsys) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "a", "text": "Herald 2.1 builds the index twice as fast."},
        {"id": "b", "text": "You are a stupid f*cking idiot."},
        {"id": "c", "text": ""},
        {"id": "d", "text": "🎉🎉"},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "out.jsonl"
    assert cli_main(["moderate", "--jsonl", str(src), "--out", str(out)]) == 0
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [g["id"] for g in got] == ["a", "b", "c", "d"]
    assert got[0]["level"] == "approved" and got[1]["level"] in ("review_required", "rejected")
    for g in got:
        assert set(g) >= {"id", "level", "scores", "reasons"}
        assert all(0.0 <= v <= 1.0 for v in g["scores"].values())
        assert {"toxicity", "insult", "hate", "threat", "spam", "personal_data"} <= set(g["scores"])
    assert {"category", "sentence", "score", "backend"} <= set(got[1]["reasons"][0])
    assert "moderated 4 rows" in capsys.readouterr().out
    # never overwrites, and bad input names the fix
    assert cli_main(["moderate", "--jsonl", str(src), "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n')
    assert cli_main(["moderate", "--jsonl", str(bad), "--out", str(tmp_path / "o2.jsonl")]) == 2
    assert "text" in capsys.readouterr().err
