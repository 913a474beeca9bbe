"""The result cache: one contract for every backend, and moderation/guard results reused by key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from core.cache import cached_check, cached_moderate, moderation_version, result_cache
from utils.cache import MemoryCache, RedisCache, SqliteCache, open_cache, text_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["memory", "sqlite", pytest.param("redis", marks=pytest.mark.service)])
def cache(request, tmp_path):
    if request.param == "memory":
        return MemoryCache()
    if request.param == "sqlite":
        return SqliteCache(tmp_path / "cache.db")
    server = request.getfixturevalue("redis_server")
    c = RedisCache(server.url)
    c.clear()
    return c


def test_cache_contract(cache):
    assert cache.get("ns", "k") is None
    cache.put("ns", "k", {"level": "approved", "scores": {"spam": 0.1}, "text": "héllo ✓"})
    assert cache.get("ns", "k") == {"level": "approved", "scores": {"spam": 0.1}, "text": "héllo ✓"}
    assert cache.get("other", "k") is None  # namespaces do not mix
    cache.put("ns", "k", {"level": "flagged"})
    assert cache.get("ns", "k") == {"level": "flagged"}
    assert (cache.hits, cache.misses) == (2, 2)
    cache.clear()
    assert cache.get("ns", "k") is None


def test_sqlite_entries_expire(tmp_path):
    c = SqliteCache(tmp_path / "cache.db", ttl_s=-1)
    c.put("ns", "k", {"a": 1})
    assert c.get("ns", "k") is None


def test_open_cache_picks_redis_only_when_configured(settings):
    assert isinstance(open_cache(settings), SqliteCache)
    assert isinstance(open_cache(replace(settings, redis_url="redis://127.0.0.1:1/0")), RedisCache)


def test_redis_down_is_a_miss_not_an_error():
    from tests.services import free_port

    c = RedisCache(f"redis://127.0.0.1:{free_port()}/0")
    c.put("ns", "k", {"a": 1})
    assert c.get("ns", "k") is None


def test_text_key_separates_parts():
    assert text_key("ab", "c") != text_key("a", "bc")
    assert text_key("x", None) != text_key("x", 0.5)


def test_moderation_is_computed_once_per_text_and_model_version(settings, monkeypatch):
    import core.moderation as moderation

    calls = []
    real = moderation.moderate

    def counting(text, s, **kwargs):
        calls.append(text)
        return real(text, s, **kwargs)

    monkeypatch.setattr(moderation, "moderate", counting)
    cache = MemoryCache()
    text = "Herald checks every claim against the project's files."
    first = cached_moderate(text, settings, cache=cache)
    second = cached_moderate(text, settings, cache=cache)
    assert second == first and calls == [text]
    cached_moderate(text + " New.", settings, cache=cache)
    assert len(calls) == 2  # another text is another key
    thresholds = ROOT / "core" / "moderation" / "thresholds.json"
    other = settings.data_dir / "thresholds.json"
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_text(thresholds.read_text())
    changed = replace(settings, moderation_thresholds_path=str(other))
    assert moderation_version(changed) != moderation_version(settings)
    cached_moderate(text, changed, cache=cache)
    assert len(calls) == 3  # another model version is another key


def test_the_guard_report_and_project_hosts_join_the_moderation_key(settings):
    from types import SimpleNamespace

    def report(*verdicts):
        return SimpleNamespace(claims=[SimpleNamespace(text=f"claim {v}", verdict=v) for v in verdicts])

    cache = MemoryCache()
    text = "A plain sentence about a project, see https://example.org/docs."
    plain = cached_moderate(text, settings, cache=cache)
    doubtful = cached_moderate(text, settings, guard=report("unsupported", "unsupported"), cache=cache)
    assert cache.misses == 2 and doubtful.level == "review_required" != plain.level
    assert (
        cached_moderate(text, settings, guard=report("unsupported", "unsupported"), cache=cache) == doubtful
    )
    cached_moderate(text, settings, guard=report("supported"), cache=cache)
    cached_moderate(text, settings, project_hosts=("example.org",), cache=cache)
    assert (cache.hits, cache.misses) == (1, 4)


def test_a_second_process_reads_what_the_first_moderated(settings):
    text = "Workers share moderation results through the cache."
    script = (
        "import sys; from core.cache import cached_moderate, result_cache; from utils.settings import load_settings;"
        "s = load_settings(); cached_moderate(sys.argv[1], s); print(result_cache(s).misses)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, text], cwd=ROOT, env=dict(os.environ), capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
    cache = result_cache(settings)
    before = cache.hits
    cached_moderate(text, settings)
    assert cache.hits == before + 1


def test_guard_reports_are_reused_for_the_same_draft_and_index(settings, sample_project):
    from chains.guard import check_post
    from rag.index import build_index
    from rag.sources import load_source
    from tests.fakes import FakeEmbedder

    emb = FakeEmbedder()
    index = build_index(load_source(sample_project, settings), emb, settings)
    draft = "tinyqueue stores jobs in SQLite. It was rewritten in Rust for version 9.9.9."
    cache = MemoryCache()
    first = cached_check(draft, index, emb, settings, cache=cache)
    embedded = emb.texts_embedded
    second = cached_check(draft, index, emb, settings, cache=cache)
    assert emb.texts_embedded == embedded  # nothing recomputed
    assert second == first
    fresh = check_post(draft, index, emb, settings)
    assert (second.claims, second.confidence, second.revised_text) == (
        fresh.claims,
        fresh.confidence,
        fresh.revised_text,
    )
    assert [c.verdict for c in second.claims] == [c.verdict for c in first.claims]
    cached_check(draft + " More.", index, emb, settings, cache=cache)
    assert (cache.hits, cache.misses) == (1, 2)


def test_guard_with_a_plain_search_function_is_not_cached(settings):
    from tests.fakes import FakeEmbedder

    cache = MemoryCache()
    cached_check("Some claim about 3 workers.", lambda q, k=3: [], FakeEmbedder(), settings, cache=cache)
    assert (cache.hits, cache.misses) == (0, 0)


@pytest.mark.service
def test_workers_share_results_through_redis(redis_server, settings):
    c1, c2 = RedisCache(redis_server.url), RedisCache(redis_server.url)
    c1.clear()
    text = "Two workers, one cache."
    first = cached_moderate(text, settings, cache=c1)
    assert cached_moderate(text, settings, cache=c2) == first
    assert c2.hits == 1
    assert json.loads(json.dumps(first.to_dict())) == first.to_dict()


def test_a_code_change_in_a_subpackage_changes_the_code_digest(tmp_path):
    """The guard's code key covers chains/guard/facts/ too, so editing a check invalidates old reports."""
    from core.cache import _files_digest

    (tmp_path / "sub").mkdir()
    (tmp_path / "top.py").write_text("A = 1\n")
    (tmp_path / "sub" / "check.py").write_text("RULE = 1\n")
    before = _files_digest(str(tmp_path), ("*.py",))
    (tmp_path / "sub" / "check.py").write_text("RULE = 2\n")
    _files_digest.cache_clear()  # read once per process by design
    assert _files_digest(str(tmp_path), ("*.py",)) != before
