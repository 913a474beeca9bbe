"""Streaming: providers hand their text to a sink as they write it; the page shows it live.

The chain streams only providers that really stream (`Provider.streams`), restarts the sink
when it moves on to the next provider, and still checks the whole answer. Network models
are faked (FakeProvider, a fake LangChain client, a fake llama); the page runs for real.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chains.errors import InvalidOutputError
from chains.generate import generate_draft
from chains.groq_provider import GroqProvider
from chains.local_provider import LocalProvider
from chains.prompts import build_post_request
from chains.providers import FallbackChain, Provider
from chains.template_provider import TemplateProvider
from chains.types import Brief, Completion, Request, Strategy
from tests.chains_data import passages
from tests.fakes import FakeEmbedder, FakeProvider

PAGE = Path(__file__).resolve().parent.parent / "pages" / "create.py"
REQUEST = Request(task="post", system="s", user="u")


class Sink:
    """Collects pieces per attempt, like the page's LiveDraft."""

    def __init__(self):
        self.attempts: list[tuple[str, list[str]]] = []

    def restart(self, provider: str) -> None:
        self.attempts.append((provider, []))

    def __call__(self, piece: str) -> None:
        self.attempts[-1][1].append(piece)

    def text(self, i: int = -1) -> str:
        return "".join(self.attempts[i][1])


def test_streaming_provider_feeds_the_sink_piece_by_piece():
    fake = FakeProvider(
        default="tinyqueue keeps jobs in SQLite, so nothing is lost on restart.", streams=True
    )
    sink = Sink()
    result = FallbackChain([fake]).run(REQUEST, on_token=sink)
    assert [p for p, _ in sink.attempts] == ["fake"]
    assert len(sink.attempts[0][1]) > 1  # several pieces, not the whole text at once
    assert sink.text() == result.completion.text == fake.default
    assert result.completion.model == "fake-1"


def test_providers_that_do_not_stream_are_not_shown_live():
    fake = FakeProvider(default="A whole answer written at once, long enough to pass.")
    sink = Sink()
    result = FallbackChain([fake]).run(REQUEST, on_token=sink)
    assert result.provider == "fake" and sink.attempts == []


def test_default_stream_yields_generate_text_and_returns_the_completion():
    fake = FakeProvider(default="one piece")
    stream = Provider.stream(fake, REQUEST)
    assert next(stream) == "one piece"
    with pytest.raises(StopIteration) as stop:
        next(stream)
    assert stop.value.value == Completion("one piece", "fake-1", 1, 2)


def test_a_rejected_stream_restarts_the_sink_for_the_next_provider():
    junk = FakeProvider(name="junky", default="def main():\n    return 1\n", streams=True)
    good = FakeProvider(name="good", streams=True)
    sink = Sink()
    result = FallbackChain([junk, good]).run(
        REQUEST, check=lambda t: "code" if "def " in t else "", on_token=sink
    )
    assert result.provider == "good"
    assert [p for p, _ in sink.attempts] == ["junky", "good"]
    assert sink.text(0).startswith("def main") and sink.text(1) == result.completion.text
    assert [a.ok for a in result.attempts] == [False, True]


def test_a_sink_that_raises_fails_the_attempt_and_closes_the_stream():
    closed = []

    class Closing(FakeProvider):
        def stream(self, request):
            try:
                yield from super().stream(request)
            finally:
                closed.append(True)

    def broken(piece: str) -> None:
        raise RuntimeError("display went away")

    chain = FallbackChain([Closing(default="some streamed words here", streams=True), TemplateProvider()])
    request = build_post_request(Brief(), Strategy(), passages(), project_name="tinyqueue")
    result = chain.run(request, on_token=broken)
    assert result.provider == "template" and "display went away" in result.attempts[0].error
    assert closed == [True]


def test_generate_draft_streams_raw_text_and_returns_the_checked_post(settings):
    raw = (
        "Here is the post:\n"
        "Need a job queue without Redis? **tinyqueue** keeps every job in one SQLite file, "
        "so nothing is lost when the worker restarts.\n\n"
        "Failed jobs are retried up to 3 times, and a worker pool runs them in the background.\n\n"
        "Would you try it?\n#python #sqlite"
    )
    fake = FakeProvider(default=raw, streams=True)
    sink = Sink()
    draft = generate_draft(
        Brief(),
        Strategy(),
        passages(),
        FallbackChain([fake]),
        settings,
        project_name="tinyqueue",
        on_token=sink,
    )
    assert sink.text() == raw  # shown as written
    assert "Here is the post" not in draft.text and "**" not in draft.text  # then the checked version
    assert draft.provider == "fake" and 3 <= len(draft.hashtags) <= 5


def test_groq_stream_yields_chunks_and_counts_tokens():
    from langchain_core.messages import AIMessageChunk

    chunks = [
        AIMessageChunk(content="tiny"),
        AIMessageChunk(content="queue "),
        AIMessageChunk(content="rocks"),
    ]
    chunks.append(
        AIMessageChunk(content="", usage_metadata={"input_tokens": 9, "output_tokens": 3, "total_tokens": 12})
    )

    class Chat:
        def stream(self, messages):
            assert messages[-1].content == "u"
            return iter(chunks)

    provider = GroqProvider("llama-x", api_key="gsk_test")
    provider._chat = lambda request: Chat()  # type: ignore[method-assign]
    sink = Sink()
    result = FallbackChain([provider]).run(REQUEST, on_token=sink)
    assert sink.text() == "tinyqueue rocks" == result.completion.text
    assert (result.completion.tokens_in, result.completion.tokens_out) == (9, 3)


def test_groq_stream_errors_are_provider_errors():
    class Chat:
        def stream(self, messages):
            yield AIMessageChunk(content="half")
            raise TimeoutError("read timed out")

    from langchain_core.messages import AIMessageChunk

    provider = GroqProvider("llama-x", api_key="gsk_test")
    provider._chat = lambda request: Chat()  # type: ignore[method-assign]
    result = FallbackChain([provider, FakeProvider()]).run(REQUEST, on_token=Sink())
    assert result.provider == "fake" and "ProviderTimeoutError" in result.attempts[0].error


class FakeLlama:
    """Stands in for llama_cpp.Llama: tokenises by words, streams the given deltas."""

    def __init__(self, deltas: list[str]):
        self.deltas = deltas
        self.closed = False
        self.systems: list[str] = []  # the system prompt of every call, in order

    def tokenize(self, data: bytes, add_bos: bool = True) -> list[int]:
        return list(range(len(data.split())))

    def create_chat_completion(self, **kwargs):
        self.systems.append(kwargs["messages"][0]["content"])
        if not kwargs.get("stream"):  # the warm-up of a system prompt: one token, not streamed
            assert kwargs["max_tokens"] == 1 and kwargs["messages"][-1]["content"] == ""
            return {"choices": [{"message": {"content": "x"}}]}

        def gen():
            try:
                for d in self.deltas:
                    yield {"choices": [{"delta": {"content": d}}]}
            finally:
                self.closed = True

        return gen()


def _local(tmp_path, monkeypatch, deltas: list[str]) -> tuple[LocalProvider, FakeLlama]:
    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    llama = FakeLlama(deltas)
    monkeypatch.setattr("chains.local_provider.load_llama", lambda path, threads: llama)
    monkeypatch.setattr("chains.local_provider.importlib.util.find_spec", lambda name: object())
    return LocalProvider(str(model)), llama


def test_local_stream_yields_pieces_and_returns_token_counts(tmp_path, monkeypatch):
    words = [f"word{i} " for i in range(40)]
    provider, llama = _local(tmp_path, monkeypatch, words)
    sink = Sink()
    result = FallbackChain([provider]).run(Request(task="post", system="s", user="write"), on_token=sink)
    assert sink.attempts[0][0] == "local" and sink.attempts[0][1] == words
    assert result.completion.tokens_out == 40 and result.completion.model == "m"
    assert llama.closed
    # generate() is the same stream, consumed whole
    assert provider.generate(Request(task="post", system="s", user="write")).text == "".join(words)


def test_local_stream_hides_and_rejects_a_junk_start(tmp_path, monkeypatch):
    provider, llama = _local(tmp_path, monkeypatch, ["```", "python\n"] + ["x = 1\n"] * 30)
    shown: list[str] = []
    with pytest.raises(InvalidOutputError):
        list(provider.stream(Request(task="post", system="s", user="write")))
    stream = provider.stream(Request(task="post", system="s", user="write"))
    with pytest.raises(InvalidOutputError):
        for piece in stream:
            shown.append(piece)
    assert shown == [] and llama.closed  # never shown, generation stopped early


def test_local_rewarms_the_post_prompt_after_another_task(tmp_path, monkeypatch):
    from chains.local_provider import post_prefix

    provider, llama = _local(tmp_path, monkeypatch, [f"word{i} " for i in range(30)])
    provider.generate(Request(task="rewrite", system="revise it", user="text"))
    for thread in threading.enumerate():
        if thread.name == "herald-local-rewarm":
            thread.join(5)
    # the rewrite ran, then the post prefix (system prompt + worked example) was evaluated again
    assert llama.systems == ["revise it", post_prefix()[0]["content"]]
    provider.generate(Request(task="post", system=post_prefix()[0]["content"], user="write"))
    assert [t.name for t in threading.enumerate()].count("herald-local-rewarm") == 0  # nothing to re-warm


def test_preload_warms_the_local_writer_only_when_it_would_write(tmp_path, monkeypatch, settings):
    from chains.local_provider import preload

    model = tmp_path / "m.gguf"
    model.write_bytes(b"GGUF")
    loaded: list[str] = []
    monkeypatch.setattr("chains.local_provider.load_llama", lambda path, threads: loaded.append(path))
    monkeypatch.setattr("chains.local_provider.importlib.util.find_spec", lambda name: object())
    offline = replace(
        settings, providers=("groq", "local", "template"), groq_api_key="", local_model_path=str(model)
    )
    thread = preload(offline)
    assert thread is not None
    thread.join(5)
    assert loaded == [str(model)]
    assert preload(replace(offline, groq_api_key="gsk_test")) is None  # Groq writes first: no need
    assert preload(replace(offline, providers=("template",))) is None
    assert preload(replace(offline, local_model_path=str(tmp_path / "missing.gguf"))) is None
    assert loaded == [str(model)]


def test_local_user_message_is_cut_to_its_token_budget():
    from chains.local_provider import fit_user
    from chains.prompts import SOURCES_CLOSE, SOURCES_OPEN

    class Words:
        def tokenize(self, data: bytes, add_bos: bool = True) -> list[int]:
            return list(range(len(data.split())))

    sources = "\n".join(f"line {i} " + "word " * 8 for i in range(60))
    user = f"{SOURCES_OPEN}\n{sources}\n{SOURCES_CLOSE}\n\nWrite the post."
    fitted = fit_user(Words(), user, 120)
    assert len(fitted.split()) <= 120
    assert fitted.startswith(SOURCES_OPEN + "\nline 0") and fitted.endswith(
        SOURCES_CLOSE + "\n\nWrite the post."
    )
    assert fit_user(Words(), "short", 120) == "short"


def test_local_small_is_a_second_local_writer(settings):
    from chains.local_provider import local_small_providers

    s = replace(settings, local_model_path="/models/a.gguf", local_small_model_path="/models/b.gguf")
    (small,) = local_small_providers(s)
    assert small.name == "local_small" and small.model == "b"
    assert "HERALD_LOCAL_SMALL_MODEL_PATH" in small.available()[1]
    same = replace(s, local_small_model_path="/models/a.gguf", providers=("local", "local_small", "template"))
    assert local_small_providers(same) == []  # would only repeat the "local" attempt
    assert small.stands_in_for == "local"  # tried only when the default local model is unavailable


# --- core and page ------------------------------------------------------------------


def _services(settings, provider: Provider):
    from core.services import build_services

    return build_services(
        settings, embedder=FakeEmbedder(), chain=FallbackChain([provider, TemplateProvider()])
    )


def test_generate_post_passes_the_sink_through(settings):
    from core.posts.pipeline import generate_post

    fake = FakeProvider(streams=True)
    sink = Sink()
    result = generate_post(_demo(), Brief(), _services(settings, fake), on_token=sink)
    assert result.draft.provider == "fake"
    assert sink.text() == "".join(fake.streamed) and len(fake.streamed) > 3


def _demo():
    from core.posts.pipeline import SourceInput

    return SourceInput("demo", "lumen")


def test_create_page_shows_the_text_as_it_is_written(settings):
    fake = FakeProvider(streams=True)
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["herald_services"] = _services(settings, fake)
    at.run()
    next(b for b in at.button if str(b.label).startswith("Try: Sample project")).click().run()
    assert not at.exception
    streamed = "".join(fake.streamed)
    assert len(fake.streamed) > 3
    assert streamed in [t.value for t in at.text]  # the live draft, as written
    assert any("Live draft from fake" in c.value for c in at.caption)
    item_id = at.session_state["create_last_item_id"]
    stored = at.session_state["herald_services"].store.latest_version(item_id).text
    assert stored in [c.value for c in at.code]  # then the checked version
    assert stored != streamed  # (tagged and checked, not the raw stream)


def test_create_page_shows_no_live_draft_for_the_template_writer(settings):
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["herald_services"] = _services(settings, TemplateProvider())
    at.run()
    next(b for b in at.button if str(b.label).startswith("Try: Sample project")).click().run()
    assert not at.exception
    assert not any("Live draft" in c.value for c in at.caption)
