"""`python -m core refine | versions | restore | improvements | export`, each in a subprocess (issue 12)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.gate import NewItem, ProposedVersion, submit_version
from core.services import build_services
from core.store import ItemStatus
from utils.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Herald writes posts about software projects. It checks every claim against the project's files."


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HERALD_PROVIDERS": "template"}
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


@pytest.fixture
def item(isolated_dirs) -> int:
    services = build_services(load_settings())
    passage = {"text": TEXT + " Every version is kept.", "kind": "readme", "path": "README.md", "score": 0.9,
               "start_line": 1, "end_line": 3}  # fmt: skip
    gated = submit_version(
        services,
        ProposedVersion(TEXT, "generated", actor="ana", data={"passages": [passage]}),
        new_item=NewItem(),
    )
    assert gated.status == ItemStatus.READY
    pending = ProposedVersion(
        TEXT + " Try it today.", "improvement", parent_id=gated.current.id, pending=True
    )
    submit_version(services, pending, item_id=gated.item.id)
    return gated.item.id


def test_versions_json_lists_every_version_and_marks_the_current_one(item):
    out = _cli("versions", "--item", str(item), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["item_id"] == item and data["status"] == "ready"
    assert [(v["number"], v["origin"], v["state"], v["current"]) for v in data["versions"]] == [
        (1, "generated", "active", True),
        (2, "improvement", "pending", False),
    ]
    assert {"id", "origin", "text", "created_at", "current"} <= set(data["versions"][0])


def test_improvements_accept_then_restore_then_refine_each_pass_the_gate(item):
    out = _cli("improvements", "--item", str(item), "accept", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["text"].endswith("Try it today.")
    out = _cli("restore", "--item", str(item), "--version", "1", "--json")
    assert out.returncode == 0, out.stderr
    restored = json.loads(out.stdout)
    assert restored["origin"] == "restore" and restored["text"] == TEXT and restored["status"] == "ready"
    out = _cli("refine", "--item", str(item), "--instruction", "shorter", "--json")
    assert out.returncode == 0, out.stderr
    refined = json.loads(out.stdout)
    assert refined["origin"] == "edit" and refined["status"] in ("ready", "needs_review", "flagged")
    versions = json.loads(_cli("versions", "--item", str(item), "--json").stdout)["versions"]
    assert [v["origin"] for v in versions][:4] == ["generated", "improvement", "restore", "edit"]


def test_bad_input_exits_2_with_one_line(item):
    for args, words in (
        (("restore", "--item", str(item), "--version", "9"), "has no version 9"),
        (("versions", "--item", "999"), "No item 999"),
        (("improvements", "--item", str(item), "dismiss"), ""),
        (("improvements", "--item", str(item), "dismiss"), "no pending version"),
        (("refine", "--item", str(item), "--instruction", " "), "Say how to refine"),
        (("export", "--item", "999", "--format", "linkedin"), "No item 999"),
    ):
        out = _cli(*args)
        if not words:
            assert out.returncode == 0, out.stderr
            continue
        assert out.returncode == 2 and words in out.stderr, (args, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1 and out.stdout == ""
