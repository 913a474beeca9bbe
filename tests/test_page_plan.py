"""AppTest for the Plan page: sources -> one job each -> calendar, Buffer and plain CSV downloads, reasons."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chains.providers import build_chain
from core.services import build_services
from tests.fakes import FakeEmbedder
from utils.settings import load_settings

PAGE = Path(__file__).resolve().parent.parent / "pages" / "plan.py"
SERVICES_KEY = "herald_services"


@pytest.fixture
def services(settings):
    template = load_settings(providers=("template",))
    return build_services(settings, embedder=FakeEmbedder(), chain=build_chain(template))


def _app(services) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state[SERVICES_KEY] = services
    return at.run()


def test_plan_runs_a_batch_and_lists_failures_per_row(services, tmp_path):
    at = _app(services)
    assert not at.exception
    assert any("Add sources" in i.value for i in at.info)
    at.text_area[0].set_value("demo:lumen\nno/such/folder\ndemo:lumen\n")
    at.text_input[0].set_value("mon,wed,fri 09:00")
    at.text_input[1].set_value("Europe/Berlin")
    at.button[0].click().run()
    assert not at.exception and not at.error
    for _ in range(
        120
    ):  # the job runs in the background; the page shows progress until Refresh finds it done
        if any("posts scheduled" in s.value for s in at.success):
            break
        time.sleep(0.5)
        at.run()
    assert any("1 of 3 posts scheduled (Europe/Berlin)" in s.value for s in at.success)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Buffer CSV: herald-batch-buffer.csv", "Plain CSV (every row)"]
    reasons = at.table[0].value
    assert list(reasons["status"]) == ["refused", "refused"]
    assert "no such folder" in reasons["reason"].iloc[0] and "duplicate" in reasons["reason"].iloc[1]
    calendar = at.dataframe[0].value
    assert len(calendar) == 1 and calendar["posting time"].iloc[0].endswith("09:00")
    assert calendar["engagement"].iloc[0]


def test_bad_schedule_is_an_error_not_a_traceback(services):
    at = _app(services)
    at.text_area[0].set_value("demo:lumen")
    at.text_input[0].set_value("someday 9")
    at.button[0].click().run()
    assert not at.exception
    assert any("Day 'someday'" in e.value and "mon, tue" in e.value for e in at.error)
