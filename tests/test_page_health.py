"""AppTest of the Health page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.services import build_services
from tests.fakes import FakeEmbedder
from utils.metrics import clear_memory_cache

PAGE = Path(__file__).resolve().parent.parent / "pages" / "health.py"


@dataclass(frozen=True)
class _Status:
    name: str
    model: str
    available: bool
    reason: str


class _Chain:
    def status(self):
        return [_Status("groq", "llama-3.3-70b-versatile", False, "no key: set GROQ_API_KEY"),
                _Status("template", "template", True, "")]  # fmt: skip


def _app(services) -> AppTest:
    clear_memory_cache()
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["herald_services"] = services
    return at.run()


def test_health_page_shows_providers_database_disk_and_logs(settings):
    services = build_services(settings, chain=_Chain(), embedder=FakeEmbedder())
    services.events.emit(
        "provider_attempt", provider="template", outcome="error", latency_ms=3, error="template broke"
    )
    at = _app(services)
    assert not at.exception
    providers = at.dataframe[0].value
    assert list(providers["provider"])[:2] == ["groq", "template"]  # the chain, in order
    outside = providers.iloc[2:]  # then the writers outside it, with how to turn them on
    assert set(outside["provider"]) == {"openai_compat", "local", "local_small"}
    assert (
        set(outside["in fallback order"]) == {"no"} and outside["why"].str.contains("HERALD_PROVIDERS").all()
    )
    assert "template broke" in providers["last error"].iloc[1]
    assert "GROQ_API_KEY" in providers["why"].iloc[0]
    assert any(m.label == "Integrity check" and m.value == "ok" for m in at.metric)
    logs = at.dataframe[-1].value
    assert "events.jsonl" in list(logs["file"])
    assert at.success and "usable" in at.success[0].value


def test_health_page_without_logs_and_no_usable_provider(settings):
    class NoneUsable:
        def status(self):
            return [_Status("groq", "llama", False, "no key")]

    at = _app(build_services(settings, chain=NoneUsable()))
    assert not at.exception
    assert any("HERALD_PROVIDERS" in e.value for e in at.error)
    assert any("No log files yet" in i.value for i in at.info)


@pytest.mark.slow
def test_load_the_real_embedding_model_from_the_page(settings):
    at = _app(build_services(settings, chain=_Chain()))
    at.button[0].click().run()
    assert not at.exception
    models = at.dataframe[1].value
    row = models[models["kind"] == "embedding"].iloc[0]
    assert row["loaded"] == "yes" and row["load time"].endswith(" s")
