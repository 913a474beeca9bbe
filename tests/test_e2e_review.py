"""Browser test of the review flow: items flagged by real moderation, approved and rejected in the UI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core import review
from core.gate import NewItem, ProposedVersion, submit_version
from core.services import build_services
from core.store import Store
from utils.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.e2e
def test_flag_approve_reject_and_export_refused(page, running_app) -> None:
    settings = load_settings(
        {"HERALD_DATA_DIR": str(running_app.data_dir), "HERALD_LOG_DIR": str(running_app.log_dir)}
    )
    store = Store.open(settings.database_path)
    ids = []
    for text in [
        "Our release notes. This bug was a damn nightmare.",
        "Big news! Email me at jane.doe@corp.com for details.",
    ]:
        gated = submit_version(
            build_services(settings, store=store),
            ProposedVersion(text, "generated"),
            new_item=NewItem(title=f"e2e review {len(ids)}"),
        )
        assert gated.moderation.level in ("flagged", "review_required"), gated.moderation
        ids.append(gated.item.id)
    a, b = ids

    page.goto(f"{running_app.url}/review")
    page.get_by_text(f"#{a} · e2e review 0").wait_for()
    page.get_by_text("Review required").first.wait_for()
    name = page.get_by_label("Reviewer name (required for every action)")
    name.fill("Ada")
    name.press("Tab")
    page.locator(f".st-key-approve_{a} button").click()
    page.get_by_text(f"Approved: item {a} is now approved.").wait_for()
    assert Store.open(settings.database_path).get_item(a).status == "approved"

    note = page.locator(f".st-key-note_{b} input")
    note.fill("personal data in a public post")
    note.press("Tab")
    page.locator(f".st-key-reject_{b} button").click()
    page.get_by_text(f"Rejected: item {b} is now rejected.").wait_for()
    reopened = Store.open(settings.database_path)
    assert reopened.get_item(b).status == "rejected"
    assert review.review_history(reopened, b)[-1].reviewer == "Ada"
    expect(page.get_by_text(f"#{b} · e2e review 1")).to_have_count(0, timeout=30_000)  # stale until rerun ends

    env = {
        **os.environ,
        "HERALD_DATA_DIR": str(running_app.data_dir),
        "HERALD_LOG_DIR": str(running_app.log_dir),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "core", "export", "--item", str(b), "--format", "markdown"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "rejected" in proc.stderr
