"""Browser test: the real app (real embedder, default provider order) writes a post and exports it.

Starts `streamlit run app.py` (the `running_app` fixture), opens it in Debian's
Chromium, clicks the bundled sample project, waits for the draft, and downloads
the LinkedIn export; the file must hold the stored post with its hashtags.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.store import Store
from utils.export import plain_post_text

pytestmark = pytest.mark.e2e


def test_generate_and_download_linkedin_export(page, running_app):
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # lazily loaded widgets (grid, metrics) can be slow on a busy machine

    page.goto(running_app.url)
    demo = page.get_by_role("button", name=re.compile(r"Try: Sample project"))
    expect(demo).to_be_visible(timeout=60_000)
    demo.click()

    # Real MiniLM plus the local model (falling back to the template writer) can take a while.
    # On a busy 2-core machine the local model alone can take a minute or two.
    expect(page.get_by_text(re.compile(r"Draft ready in"))).to_be_visible(timeout=420_000)
    expect(page.get_by_text("…see more", exact=False).first).to_be_visible()
    expect(page.get_by_text(re.compile(r"of 3,000 characters")).first).to_be_visible()

    store = Store.open(running_app.data_dir / "herald.db")
    items = store.list_items()
    assert items, "the app stored no item"
    version = store.latest_version(items[0].id)
    hashtags = version.data["hashtags"]
    first_line = next(ln for ln in version.text.splitlines() if ln.strip())
    expect(page.get_by_text(first_line[:40], exact=False).first).to_be_visible()
    top_path = version.data["passages"][0]["path"]
    table = page.get_by_test_id("stTable").filter(has_text="excerpt").first
    expect(table).to_contain_text(top_path)
    expect(table).to_contain_text("score")

    button = page.get_by_role("button", name="LinkedIn text")
    with page.expect_download(timeout=60_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"herald-{items[0].id}.txt"
    content = Path(download.path()).read_text(encoding="utf-8")
    # the LinkedIn export is plain text: code ticks and bold markers of the draft are removed
    assert content.strip().startswith(plain_post_text(first_line).strip())
    assert len(content) <= 3001
    assert all(tag in content for tag in hashtags)

    # The export is logged for the dashboard and the agent.
    def exports() -> list[dict]:
        log = running_app.log_dir / "events.jsonl"
        lines = log.read_text().splitlines() if log.exists() else []
        return [e for e in map(json.loads, lines) if e["step"] == "export"]

    page.wait_for_timeout(1500)
    assert any(e["item_id"] == items[0].id and e["format"] == "linkedin" for e in exports())
