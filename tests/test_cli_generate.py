"""`python -m core generate` and `export` through `core.cli.main`, with the real template provider.

The embedder is the deterministic fake (patched into the commands' service
factory) except in the one slow test, which runs the real MiniLM once.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from core import cli
from core.commands import export as export_cmd
from core.commands import generate as generate_cmd
from core.posts.pipeline import DEMO_SOURCES
from core.services import build_services
from tests.fakes import FakeEmbedder
from utils.settings import load_settings

LUMEN = str(DEMO_SOURCES["lumen"].path)


@pytest.fixture(autouse=True)
def template_only(monkeypatch):
    monkeypatch.setenv("HERALD_PROVIDERS", "template")


@pytest.fixture
def fake_embedder(monkeypatch):
    embedder = FakeEmbedder()

    def services():
        return build_services(load_settings(), embedder=embedder)

    monkeypatch.setattr(generate_cmd, "_services", services)
    monkeypatch.setattr(export_cmd, "_services", services)
    return embedder


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _generate_json(capsys, *extra: str) -> dict:
    code, out, err = _run(capsys, "generate", "--source", LUMEN, "--json", *extra)
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1  # exactly one JSON object
    return json.loads(out)


def test_generate_json_has_every_field(capsys, fake_embedder):
    data = _generate_json(
        capsys, "--style", "tutorial", "--tone", "friendly", "--length", "short", "--topic", "search"
    )
    for key in (
        "item_id",
        "version_id",
        "text",
        "hook",
        "hashtags",
        "caption",
        "quality",
        "provider",
        "attempts",
        "passages",
    ):
        assert key in data, key
    assert data["provider"] == "template"
    assert data["attempts"][-1]["ok"] is True and data["attempts"][-1]["provider"] == "template"
    assert 3 <= len(data["hashtags"]) <= 5
    assert 0 <= data["quality"] <= 100
    assert data["passages"] and {"path", "kind", "score"} <= set(data["passages"][0])
    assert data["source"]["name"] == "Lumen"
    assert "Lumen" in data["text"] or "lumen" in data["text"]


def test_generate_prints_the_draft(capsys, fake_embedder):
    code, out, err = _run(capsys, "generate", "--source", LUMEN)
    assert code == 0, err
    assert "-- item 1 version " in out and "provider template" in out
    assert "README.md" in out


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["generate", "--source", "/definitely/not/here"], "Source not found"),
        (["generate", "--source", LUMEN, "--style", "haiku"], "Unknown style"),
        (["generate", "--source", LUMEN, "--length", "huge"], "Unknown length"),
        (["generate", "--source", LUMEN, "--tone", "angry"], "Unknown tone"),
        (["generate", "--source", LUMEN, "--audience", "cats"], "Unknown audience"),
        (["generate", "--source", "https://example.com/not/a/repo"], "Not a repository"),
        (["generate", "--source", " "], "No source given"),
    ],
)
def test_generate_bad_input_exits_2_with_one_line(capsys, fake_embedder, argv, reason):
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and reason in lines[0]


def test_generate_empty_folder(capsys, fake_embedder, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = _run(capsys, "generate", "--source", str(tmp_path / "empty"))
    assert code == 2 and "Nothing to write from" in err


def test_export_every_format_to_stdout_and_file(capsys, fake_embedder, tmp_path):
    item = _generate_json(capsys)["item_id"]
    code, out, err = _run(capsys, "export", "--item", str(item), "--format", "linkedin")
    assert code == 0, err
    assert len(out) <= 3001 and "#" in out
    code, out, _ = _run(capsys, "export", "--item", str(item), "--format", "markdown")
    assert out.startswith("---\ntitle: ")
    code, out, _ = _run(capsys, "export", "--item", str(item), "--format", "notion")
    assert out.startswith("# ") and "Status: ready" in out
    code, out, _ = _run(capsys, "export", "--item", str(item), "--format", "buffer")
    assert next(csv.reader(io.StringIO(out))) == ["Text", "Image URL", "Tags", "Posting Time"]
    target = tmp_path / "post.md"
    code, out, err = _run(capsys, "export", "--item", str(item), "--format", "markdown", "--out", str(target))
    assert code == 0 and target.read_text().startswith("---\n") and f"wrote {target}" in out
    code, _, err = _run(capsys, "export", "--item", str(item), "--format", "markdown", "--out", str(target))
    assert code == 2 and "already exists" in err  # nothing saved is overwritten
    code, _, err = _run(
        capsys, "export", "--item", str(item), "--format", "linkedin", "--out", str(target), "--force"
    )
    assert code == 0 and not target.read_text().startswith("---")


def test_export_csv_of_many_items(capsys, fake_embedder):
    first = _generate_json(capsys)["item_id"]
    second = _generate_json(capsys, "--style", "release_notes")["item_id"]
    code, out, err = _run(capsys, "export", "--item", f"{first},{second}", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["item_id"]) for r in rows] == [first, second]


@pytest.mark.parametrize(
    "argv, reason",
    [
        (["export", "--item", "999", "--format", "linkedin"], "No item 999"),
        (["export", "--item", "abc", "--format", "linkedin"], "not a number"),
        (["export", "--item", "1", "--format", "pdf"], "Unknown format"),
        (["export", "--item", "1", "--item", "1", "--format", "markdown"], "one item at a time"),
        (["export", "--item", "1", "--format", "csv", "--out", "/no/such/folder/x.csv"], "does not exist"),
    ],
)
def test_export_bad_input_exits_2_with_one_line(capsys, fake_embedder, argv, reason):
    _generate_json(capsys)
    code, out, err = _run(capsys, *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0]


def test_export_refuses_rejected_item(capsys, fake_embedder):
    item = _generate_json(capsys)["item_id"]
    services = build_services(load_settings())
    services.store.set_status(item, "rejected", reason="test", actor="reviewer")
    code, _, err = _run(capsys, "export", "--item", str(item), "--format", "linkedin")
    assert code == 2 and "rejected" in err


@pytest.mark.slow
def test_generate_with_the_real_embedder(capsys):
    code, out, err = _run(capsys, "generate", "--source", LUMEN, "--json", "--topic", "incremental builds")
    assert code == 0, err
    data = json.loads(out)
    assert data["provider"] == "template"
    assert data["passages"][0]["path"] in {"README.md", "CHANGELOG.md"}
    assert (
        "40 ms" in data["text"] or "incremental" in data["text"].lower() or "rebuild" in data["text"].lower()
    )
