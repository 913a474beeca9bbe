"""The provider contract (run over every implementation), the registry and the fallback chain."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import replace

import pytest

from chains.errors import (
    AllProvidersFailedError,
    ChainError,
    NeedsKeyError,
    ProviderError,
    ProviderUnavailableError,
    UnknownProviderError,
)
from chains.groq_provider import GroqProvider
from chains.guard.verify import judge_available
from chains.local_provider import LocalProvider, local_providers
from chains.openai_provider import OpenAICompatProvider
from chains.prompts import build_post_request
from chains.providers import (
    TASKS,
    FallbackChain,
    Provider,
    ProviderStatus,
    build_chain,
    get_provider,
    provider_names,
    register_provider,
)
from chains.template_provider import TemplateProvider
from chains.types import Brief, Completion, Request, Strategy
from tests.chains_data import passages
from tests.fakes import FailingProvider, FakeProvider
from utils.events import EventLog
from utils.settings import PROVIDER_NAMES


def _closed_port() -> int:
    """A localhost port with nothing listening (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post_request() -> Request:
    # One short passage keeps the real local model's prompt small (this test runs it twice).
    return build_post_request(Brief(), Strategy(), passages()[1:2], project_name="tinyqueue", max_tokens=48)


# name -> (builder, expect_available, expect_ok_answer); None: a real model may answer or fail cleanly
CASES = {
    "fake": (lambda s: FakeProvider(), True, True),
    "failing": (lambda s: FailingProvider(), True, False),
    "template": (lambda s: TemplateProvider(), True, True),
    "groq_without_key": (lambda s: GroqProvider("llama-3.1-8b-instant", ""), False, False),
    "groq_unreachable": (
        lambda s: GroqProvider(
            "llama-3.1-8b-instant", "gsk_test", 3.0, base_url=f"http://127.0.0.1:{_closed_port()}"
        ),
        True,
        False,
    ),
    "openai_unconfigured": (lambda s: OpenAICompatProvider("", "llama3.2"), False, False),
    "openai_unreachable": (
        lambda s: OpenAICompatProvider(f"http://127.0.0.1:{_closed_port()}/v1", "llama3.2", timeout_s=5),
        True,
        False,
    ),
    "local_missing_file": (lambda s: LocalProvider("/nonexistent/model.gguf"), False, False),
    "local": (
        lambda s: LocalProvider(s.local_model_path, s.local_threads, 48, timeout_s=120),
        True,
        None,
    ),
}
PARAMS = [pytest.param(k, marks=pytest.mark.slow) if k == "local" else k for k in CASES]


@pytest.mark.parametrize("case", PARAMS)
def test_provider_contract(case, settings):
    build, expect_available, expect_ok = CASES[case]
    provider = build(settings)
    assert isinstance(provider, Provider)
    assert isinstance(provider.name, str) and provider.name
    assert isinstance(provider.model, str) and provider.model

    start = time.perf_counter()
    ok, reason = provider.available()
    assert time.perf_counter() - start < 0.5  # a cheap local check, no network
    assert ok is expect_available and isinstance(reason, str) and reason
    assert all(isinstance(provider.supports(t), bool) for t in TASKS)
    assert provider.supports("post")

    request = _post_request()
    start = time.perf_counter()
    if expect_ok is None:
        try:
            completion = provider.generate(request)
        except ProviderError as exc:  # SmolLM2 junk is refused with a reason, never a crash
            assert str(exc)
        else:
            assert isinstance(completion, Completion) and completion.text.strip()
    elif expect_ok:
        completion = provider.generate(request)
        assert isinstance(completion, Completion) and completion.text.strip()
    else:
        with pytest.raises(Exception) as info:
            provider.generate(request)
        assert time.perf_counter() - start < 10  # unreachable hosts fail fast
        if not expect_available:
            assert isinstance(info.value, ProviderError)
            assert str(info.value)  # the message names the fix

    # Whatever the provider does, a chain with a fallback behind it answers and records it first.
    backup = FakeProvider(name="backup")
    result = FallbackChain([provider, backup]).run(request)
    first = result.attempts[0]
    assert first.provider == provider.name
    assert first.skipped is (not expect_available)
    if expect_ok is not None:
        assert first.ok is expect_ok
        assert result.provider == (provider.name if expect_ok else "backup")
    else:
        assert result.provider == (provider.name if first.ok else "backup")


def test_groq_without_key_names_the_fix():
    provider = GroqProvider("llama-3.3-70b-versatile", "")
    assert provider.available() == (False, "No API key for groq: set GROQ_API_KEY")
    with pytest.raises(NeedsKeyError, match="GROQ_API_KEY"):
        provider.generate(_post_request())


def test_local_model_judges_only_when_asked(settings):
    shipped = local_providers(settings)[0]
    assert shipped.supports("rewrite") and not shipped.supports("judge")
    assert not judge_available(FallbackChain([shipped]))[0]
    asked = local_providers(replace(settings, local_judge=True))[0]
    assert asked.supports("judge")


def test_template_never_judges():
    provider = TemplateProvider()
    assert not provider.supports("judge")
    judge = Request(task="judge", system="s", user="u", passages=tuple(passages()))
    chain = FallbackChain([provider])
    with pytest.raises(AllProvidersFailedError, match="judge"):
        chain.run(judge)
    fake = FakeProvider()
    assert FallbackChain([provider, fake]).run(judge).provider == "fake"
    assert [r.task for r in fake.history] == ["judge"]


def test_registry_builds_groq_per_model_and_rejects_unknown(settings):
    assert set(provider_names()) >= {"groq", "openai_compat", "local", "local_small", "template"}
    groq = get_provider("groq")(replace(settings, groq_models=("a", "b", "c")))
    assert [p.model for p in groq] == ["a", "b", "c"] and {p.name for p in groq} == {"groq"}
    with pytest.raises(UnknownProviderError, match="choose from"):
        get_provider("nope")
    register_provider("fake_registered", lambda s: [FakeProvider(name="fake_registered")])
    assert "fake_registered" in provider_names()
    chain = build_chain(replace(settings, providers=("fake_registered", "template")))
    assert [p.name for p in chain.providers] == ["fake_registered", "template"]


def test_build_chain_follows_settings_order_and_status(settings):
    chain = build_chain(settings)
    names = [p.name for p in chain.providers]
    # offline the template writes by default; the local models are opt-in (their posts score lower)
    assert names == ["groq"] * len(settings.groq_models) + ["openai_compat", "template"]
    every = build_chain(replace(settings, providers=PROVIDER_NAMES))
    assert [p.name for p in every.providers][-3:] == ["local", "local_small", "template"]
    status = chain.status()
    assert all(isinstance(s, ProviderStatus) for s in status)
    by_name = {s.name: s for s in status}
    assert not by_name["groq"].available and "GROQ_API_KEY" in by_name["groq"].reason
    assert (
        not by_name["openai_compat"].available and "HERALD_OPENAI_BASE_URL" in by_name["openai_compat"].reason
    )
    assert by_name["template"].available
    keyed = build_chain(replace(settings, groq_api_key="gsk_secret_value_123"))
    assert keyed.status()[0].available
    assert "gsk_secret" not in repr(keyed.status()) + repr(keyed.providers)


def test_fallback_order_attempts_and_events(settings):
    events = EventLog(settings.log_dir)
    failing = FailingProvider(TimeoutError("took too long"))
    fake = FakeProvider().enqueue("first answer that is fine")
    never = FakeProvider(name="never")
    chain = FallbackChain([GroqProvider("m", ""), failing, fake, never], events=events)
    result = chain.run(Request(task="post", system="s", user="u"), item_id=7, run_id="run-1")
    assert result.provider == "fake" and result.completion.text == "first answer that is fine"
    assert [(a.provider, a.ok, a.skipped) for a in result.attempts] == [
        ("groq", False, True),
        ("failing", False, False),
        ("fake", True, False),
    ]
    assert "TimeoutError: took too long" in result.attempts[1].error
    assert all(a.latency_ms >= 0 for a in result.attempts)
    assert failing.calls == 1 and never.history == []
    lines = [json.loads(x) for x in events.path.read_text().splitlines()]
    assert [(e["step"], e["provider"], e["outcome"]) for e in lines] == [
        ("provider_attempt", "groq", "skipped"),
        ("provider_attempt", "failing", "error"),
        ("provider_attempt", "fake", "ok"),
    ]
    assert all(e["item_id"] == 7 and e["task"] == "post" and e["run_id"] == "run-1" for e in lines)


def test_invalid_output_falls_through():
    junk = FakeProvider(name="junk").enqueue("   ")
    picky = FakeProvider(name="picky").enqueue("too short")
    good = FakeProvider(name="good").enqueue("a long enough answer")
    chain = FallbackChain([junk, picky, good])
    result = chain.run(
        Request(task="post", system="", user="u"), check=lambda t: "" if len(t) > 10 else "too short"
    )
    assert result.provider == "good"
    assert [a.error for a in result.attempts[:2]] == [
        "InvalidOutputError: empty output",
        "InvalidOutputError: too short",
    ]


def test_a_stand_in_runs_only_when_the_provider_it_replaces_is_unavailable():
    def small() -> FakeProvider:
        provider = FakeProvider(name="local_small").enqueue("the small model's answer, long enough")
        provider.stands_in_for = "local"
        return provider

    bad_local = FakeProvider(name="local").enqueue("junk")
    template = FakeProvider(name="template").enqueue("the template's answer, long enough")
    check = lambda t: "" if len(t) > 10 else "too short"  # noqa: E731
    standin = small()
    result = FallbackChain([bad_local, standin, template]).run(
        Request(task="post", system="", user="u"), check=check
    )
    # the default local model answered (badly): its stand-in would only cost time
    assert result.provider == "template" and standin.history == []
    assert [a.provider for a in result.attempts] == ["local", "template"]

    missing = LocalProvider("")  # no model file: unavailable, so the stand-in writes
    result = FallbackChain([missing, small(), template]).run(
        Request(task="post", system="", user="u"), check=check
    )
    assert result.provider == "local_small"
    assert [(a.provider, a.skipped) for a in result.attempts] == [("local", True), ("local_small", False)]


def test_all_failing_raises_with_attempts():
    chain = FallbackChain([FailingProvider(), FailingProvider(ProviderUnavailableError("down"))])
    with pytest.raises(AllProvidersFailedError) as info:
        chain.run(Request(task="post", system="", user="u"))
    assert isinstance(info.value, ChainError)
    assert len(info.value.attempts) == 2 and not any(a.ok for a in info.value.attempts)
    assert "template" in str(info.value)


def test_secrets_are_redacted_from_attempt_errors():
    chain = FallbackChain([FailingProvider(RuntimeError("bad key gsk_abcdefghijklmnop")), FakeProvider()])
    result = chain.run(Request(task="post", system="", user="u"))
    assert "gsk_abcdefghijklmnop" not in result.attempts[0].error and "***" in result.attempts[0].error


class _ChatServer:
    """A tiny local OpenAI-style chat server (stands in for Ollama/vLLM/Groq over real HTTP)."""

    def __init__(self, answer: str):
        import http.server
        import threading

        self.bodies: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.bodies.append({"path": self.path, **body})
                payload = json.dumps(
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", "m"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": answer},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def chat_server():
    server = _ChatServer("tinyqueue keeps jobs in one SQLite file.")
    yield server
    server.close()


def test_openai_compat_talks_to_a_real_http_server(chat_server):
    provider = OpenAICompatProvider(f"http://127.0.0.1:{chat_server.port}/v1", "llama3.2", timeout_s=5)
    completion = provider.generate(_post_request())
    assert completion.text == "tinyqueue keeps jobs in one SQLite file."
    assert (completion.tokens_in, completion.tokens_out, completion.model) == (11, 7, "llama3.2")
    body = chat_server.bodies[0]
    assert body["path"] == "/v1/chat/completions" and body["model"] == "llama3.2"
    assert body["max_tokens"] == 48
    system, user = body["messages"][0], body["messages"][1]
    assert system["role"] == "system" and "untrusted data" in system["content"]
    assert user["role"] == "user" and "<<<SOURCES>>>" in user["content"]


def test_groq_with_key_talks_to_a_real_http_server(chat_server):
    provider = GroqProvider(
        "llama-3.1-8b-instant", "gsk_test", 5.0, base_url=f"http://127.0.0.1:{chat_server.port}"
    )
    assert provider.available()[0]
    completion = provider.generate(_post_request())
    assert completion.text.startswith("tinyqueue") and completion.model == "llama-3.1-8b-instant"
    assert chat_server.bodies[0]["model"] == "llama-3.1-8b-instant"


def test_template_rewrite_keeps_the_subject_or_refuses():
    from chains.errors import InvalidOutputError
    from chains.template_provider import TemplateProvider
    from chains.types import Request
    from rag.types import Passage

    unrelated = (
        Passage("Herald keeps a demo project under data/samples for first runs.", "docs", "a.md", 1.0),
    )
    ctx = {"text": "Herald was written in Rust and stores posts in PostgreSQL.", "sentences": 1}
    req = Request(task="rewrite", system="", user="", passages=unrelated, context=ctx)
    with pytest.raises(InvalidOutputError, match="change the subject"):
        TemplateProvider().generate(req)
    related = (*unrelated, Passage("Herald stores every post in a SQLite file.", "docs", "b.md", 0.9))
    req = Request(task="rewrite", system="", user="", passages=related, context=ctx)
    assert TemplateProvider().generate(req).text == "Herald stores every post in a SQLite file."
    table = (Passage("Herald stores | posts | in SQLite |", "docs", "c.md", 1.0),)
    with pytest.raises(InvalidOutputError):
        TemplateProvider().generate(Request(task="rewrite", system="", user="", passages=table, context=ctx))


def test_template_rewrite_never_returns_a_cut_off_fragment():
    from chains.template_provider import TemplateProvider
    from chains.types import Request
    from rag.types import Passage

    fragments = (
        Passage(
            "- **Evidence** (`evidence.py`): for each claim, the best sentences of the", "docs", "a.md", 1.0
        ),
        Passage("guard sentences are cached per index and reused", "docs", "b.md", 0.9),
    )
    req = Request(
        task="rewrite",
        system="",
        user="",
        passages=fragments,
        context={"text": "The guard caches the best evidence sentences.", "sentences": 1},
    )
    from chains.errors import InvalidOutputError

    with pytest.raises(InvalidOutputError):  # nothing whole to copy: the guard drops the claim instead
        TemplateProvider().generate(req)
    whole = (*fragments, Passage("The guard caches evidence sentences per index.", "docs", "c.md", 0.8))
    req = Request(task="rewrite", system="", user="", passages=whole, context=req.context)
    assert TemplateProvider().generate(req).text == "The guard caches evidence sentences per index."
