"""Browser test: paste a script on the Video page, render a preview clip, see the player, download the MP4."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_render_preview_and_download_mp4(page, running_app):
    from playwright.sync_api import expect

    page.goto(f"{running_app.url}/video")
    script = page.get_by_label("Script (one scene per line)")
    expect(script).to_be_visible(timeout=60_000)
    script.fill("Herald renders short videos\nEvery scene is drawn once")
    page.get_by_role("button", name="Make storyboard").click()
    expect(page.get_by_text(re.compile(r"Storyboard · item #\d+"))).to_be_visible(timeout=30_000)

    quality = page.locator("div[data-testid='stSelectbox']").filter(has_text="Quality")
    box = quality.get_by_role("combobox")
    box.click()
    box.fill("Preview")  # Streamlit's selectbox filters options as you type
    page.get_by_role("option", name=re.compile(r"^Preview")).click()

    page.get_by_role("button", name="Render video").click()
    player = page.locator("video")
    expect(player).to_be_visible(timeout=120_000)
    expect(page.get_by_text(re.compile(r"320x180, [\d.]+ s, rendered in"))).to_be_visible()

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download MP4").click()
    download = info.value
    assert download.suggested_filename.endswith(".mp4")
    data = Path(download.path()).read_bytes()
    assert data[4:8] == b"ftyp" and len(data) > 1000
