"""core.health: providers (with last latency/error from the logs), models, database, disk and logs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.health import check_health
from core.services import build_services
from tests.fakes import FakeEmbedder
from utils.metrics import clear_memory_cache


@dataclass(frozen=True)
class _Status:
    name: str
    model: str
    available: bool
    reason: str


class _Chain:
    def __init__(self, statuses):
        self._statuses = statuses

    def status(self):
        return list(self._statuses)


@pytest.fixture(autouse=True)
def _fresh():
    clear_memory_cache()
    yield
    clear_memory_cache()


def test_health_reports_providers_with_last_latency_and_error(settings):
    chain = _Chain(
        [_Status("groq", "llama", False, "no key: set GROQ_API_KEY"), _Status("template", "t", True, "")]
    )
    services = build_services(settings, chain=chain, embedder=FakeEmbedder())
    services.events.emit("provider_attempt", item_id=1, provider="groq", outcome="skipped", latency_ms=0.2)
    services.events.emit(
        "provider_attempt", item_id=1, provider="template", outcome="error", latency_ms=4, error="boom"
    )
    services.events.emit("provider_attempt", item_id=2, provider="template", outcome="ok", latency_ms=12.5)
    report = check_health(services)
    by_name = {p.name: p for p in report.providers}
    assert not by_name["groq"].available and "GROQ_API_KEY" in by_name["groq"].reason
    assert by_name["template"].available and by_name["template"].configured
    assert by_name["template"].last_latency_ms == 12.5
    assert "boom" in by_name["template"].last_error
    assert by_name["groq"].last_error == ""
    # writers outside the chain are listed with how to turn them on, never counted as usable
    assert not by_name["local"].configured and "add local to HERALD_PROVIDERS" in by_name["local"].reason
    assert report.database.integrity == "ok" and report.database.ok
    assert "0001_base" in report.database.migrations
    assert report.database.size_bytes > 0
    assert report.disk.free_bytes > 0
    assert [f.name for f in report.logs] == ["events.jsonl"] and report.logs[0].size_bytes > 0
    assert report.ok


def test_no_usable_provider_is_a_problem(settings):
    services = build_services(settings, chain=_Chain([_Status("groq", "llama", False, "no key")]))
    report = check_health(services)
    assert not report.ok
    assert any("HERALD_PROVIDERS" in p for p in report.problems)


def test_broken_chain_and_empty_logs_still_render(settings):
    class Broken:
        def status(self):
            raise RuntimeError("cannot build")

    services = build_services(settings, chain=Broken())
    report = check_health(services)
    assert any("cannot build" in p for p in report.problems)
    assert report.logs == ()
    kinds = {c.kind for c in report.components}
    assert {"embedding", "moderation", "guard"} <= kinds


def test_embedding_model_is_found_but_not_loaded_unless_asked(settings):
    from rag import embeddings

    loaded_before = embeddings._CACHE.get(settings.embedding_model_path) is not None
    services = build_services(settings, chain=_Chain([_Status("template", "t", True, "")]))
    emb = next(c for c in check_health(services).components if c.kind == "embedding")
    assert emb.available == bool(settings.embedding_model_path)
    # check_health never loads the model itself; it reports a load another caller made
    assert emb.loaded == loaded_before
    assert (emb.load_s is not None) == loaded_before
    assert (embeddings._CACHE.get(settings.embedding_model_path) is not None) == loaded_before


def test_real_chain_status_offline(settings):
    services = build_services(settings)
    report = check_health(services)
    names = [p.name for p in report.providers]
    assert names and "template" in names
    assert any(p.available for p in report.providers if p.name == "template")
    groq = [p for p in report.providers if p.name == "groq"]
    assert all(not p.available for p in groq)  # no key in tests
