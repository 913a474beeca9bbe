"""Browser test: the Dashboard over a generated log; click a bar, see the items behind it, follow one to the Library.

Writes a generated event log into the running app's log folder and the items it
names into its SQLite file (through `core.store.Store`), opens the Dashboard in
Chromium, clicks a bar of the ratings chart (plotly selection event), and
follows the first listed item's link (a new tab) to the Library page (`library?item=ID`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from core.store import Store
from tests.eventgen import generate_events, write_events
from tests.seed import seed_item

pytestmark = pytest.mark.e2e


def _seed(running_app) -> dict[int, str]:
    store = Store.open(running_app.data_dir / "herald.db")
    titles = {}
    for i in range(40):
        item, _ = seed_item(store, f"generated post {i}", title=f"Dashboard e2e post {i}")
        titles[item.id] = item.title
    ids = sorted(titles)
    events = generate_events(len(ids), start=datetime(2026, 10, 1, tzinfo=UTC), span_h=20, seed=5)
    for e in events:
        e["item_id"] = ids[e["item_id"] - 1]
    write_events(running_app.log_dir / "events.jsonl", events)
    return titles


def test_dashboard_click_through_to_an_item(page, running_app):
    from playwright.sync_api import expect

    titles = _seed(running_app)
    page.goto(f"{running_app.url}/dashboard")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible(timeout=60_000)
    expect(page.get_by_text(re.compile(r"events from \d+ file")).first).to_be_visible(timeout=60_000)

    page.get_by_role("tab", name="Ratings & agent").click()
    chart = page.locator(".stPlotlyChart:visible").filter(has=page.locator(".barlayer")).first
    expect(chart).to_be_visible(timeout=30_000)
    bar = chart.locator(".barlayer .point path").nth(3)  # the 4-star bar
    bar.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = bar.bounding_box()
    assert box is not None
    # plotly listens on its drag layer above the bars: click where the bar is drawn
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 3)

    heading = page.get_by_text(re.compile(r"Items behind the clicked point: stars 4"))
    expect(heading).to_be_visible(timeout=30_000)
    link = page.locator("a[href*='library?item=']").first
    expect(link).to_be_visible()
    text = link.inner_text()
    href = link.get_attribute("href") or ""
    item_id = int(re.search(r"item=(\d+)", href).group(1))
    assert item_id in titles and titles[item_id] in text

    with page.context.expect_page() as opened:  # item links open in a new tab; the dashboard stays
        link.click()
    library = opened.value
    library.wait_for_load_state()
    assert re.search(rf"/library\?item={item_id}$", library.url)
    expect(library.get_by_role("heading", name=re.compile("Library"))).to_be_visible(timeout=60_000)
    assert not library.locator("[data-testid=stException]").count()
