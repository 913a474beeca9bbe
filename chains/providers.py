"""The writing-provider interface, its registry, and the fallback chain.

A `Provider` answers one `Request` with one `Completion`. A registry maps a
provider name ("groq", "openai_compat", "local", "local_small", "template") to a factory
`(settings) -> list[Provider]`; `build_chain` turns `settings.providers` into a
`FallbackChain` that tries each provider in order and records every attempt.
Vendor SDKs are imported only inside their adapters, lazily. This module does
not build prompts (see `chains.prompts`) or post-process drafts (see
`chains.generate`).
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chains.errors import AllProvidersFailedError, InvalidOutputError, UnknownProviderError
from chains.types import Attempt, ChainResult, Completion, Request

if TYPE_CHECKING:
    from utils.events import EventLog
    from utils.settings import Settings

__all__ = [
    "Provider",
    "ProviderStatus",
    "ProviderFactory",
    "OutputCheck",
    "TokenSink",
    "FallbackChain",
    "register_provider",
    "get_provider",
    "provider_names",
    "build_chain",
    "TASKS",
]

LOG = logging.getLogger(__name__)
TASKS = ("post", "rewrite", "storyboard", "judge")
# Built-in providers register themselves when their module is imported.
_BUILTIN_MODULES = {
    "groq": "chains.groq_provider",
    "openai_compat": "chains.openai_provider",
    "local": "chains.local_provider",
    "local_small": "chains.local_provider",
    "template": "chains.template_provider",
}
_SECRET_RE = re.compile(r"(gsk_|sk-)[A-Za-z0-9_\-]{8,}")


class Provider:
    """A writing backend: `available()` is a cheap local check, `generate()` does the work.

    `stream()` yields the answer in pieces as it is written; providers that really
    stream (LLMs) set `streams = True`. The default yields `generate()`'s text at once.
    """

    name: str = "provider"
    model: str = ""
    streams: bool = False
    # The provider this one stands in for: tried only when that one is unavailable (not when it
    # answered badly), e.g. the small local model for a machine without the default one.
    stands_in_for: str = ""

    def available(self) -> tuple[bool, str]:
        """(usable now, reason) without touching the network."""
        return True, "ready"

    def supports(self, task: str) -> bool:
        """Whether this provider can do `task` ("post", "rewrite", "storyboard", "judge")."""
        return task in TASKS

    def generate(self, request: Request) -> Completion:
        """Answer one request or raise (the chain records the error and moves on)."""
        raise NotImplementedError

    def stream(self, request: Request) -> Generator[str, None, Completion | None]:
        """Yield the answer in pieces; the generator may return the `Completion` (tokens, model)."""
        completion = self.generate(request)
        yield completion.text
        return completion

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r})"


ProviderFactory = Callable[["Settings"], list[Provider]]
# Returns "" when a completion is acceptable, else the reason it is not.
OutputCheck = Callable[[str], str]
# Receives each piece of text as a streaming provider writes it. When the object also has a
# `restart(provider: str)` method, the chain calls it before each streaming attempt, so a
# display can clear the text of an attempt that failed.
TokenSink = Callable[[str], None]


def _run_stream(provider: Provider, request: Request, on_token: TokenSink) -> Completion:
    """Drive `provider.stream`, feeding `on_token`; the `Completion` it returns or one built from the text."""
    restart = getattr(on_token, "restart", None)
    if callable(restart):
        restart(provider.name)
    pieces: list[str] = []
    iterator = provider.stream(request)
    try:
        while True:
            try:
                piece = next(iterator)
            except StopIteration as stop:
                done = stop.value
                break
            if piece:
                pieces.append(piece)
                on_token(piece)
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()  # a sink that raised must not leave the provider's generator (and its locks) open
    text = "".join(pieces)
    if isinstance(done, Completion):
        return done if done.text == text else Completion(text, done.model, done.tokens_in, done.tokens_out)
    return Completion(text=text, model=provider.model, tokens_out=len(pieces))


@dataclass(frozen=True)
class ProviderStatus:
    """Whether one provider/model is usable now, and why (for the Health page)."""

    name: str
    model: str
    available: bool
    reason: str


_REGISTRY: dict[str, ProviderFactory] = {}
_REGISTRY_LOCK = threading.Lock()


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Register (or replace) the factory that builds providers called `name`."""
    with _REGISTRY_LOCK:
        _REGISTRY[name] = factory


def get_provider(name: str) -> ProviderFactory:
    """The factory registered as `name`; raises `UnknownProviderError` naming the known ones."""
    if name not in _REGISTRY and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownProviderError(
            f"Unknown provider {name!r}: choose from {', '.join(provider_names())} (HERALD_PROVIDERS)"
        ) from None


def provider_names() -> tuple[str, ...]:
    """Every registered provider name, built-ins first."""
    extra = [n for n in _REGISTRY if n not in _BUILTIN_MODULES]
    return (*_BUILTIN_MODULES, *extra)


def _redact(message: str) -> str:
    return _SECRET_RE.sub("***", message)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return _redact(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:300]


class FallbackChain:
    """Tries providers in order until one answers; records every attempt."""

    def __init__(self, providers: list[Provider], events: EventLog | None = None):
        self.providers = list(providers)
        self.events = events

    def status(self) -> list[ProviderStatus]:
        """Availability of every provider in the chain, in order (no network)."""
        out = []
        for p in self.providers:
            try:
                ok, reason = p.available()
            except Exception as exc:  # a broken check must not break the Health page
                ok, reason = False, _describe(exc)
            out.append(ProviderStatus(p.name, p.model, bool(ok), reason))
        return out

    def run(
        self,
        request: Request,
        *,
        check: OutputCheck | None = None,
        item_id: int | None = None,
        run_id: str | None = None,
        on_token: TokenSink | None = None,
    ) -> ChainResult:
        """First acceptable completion; raises `AllProvidersFailedError` with every attempt.

        Providers that do not support `request.task` are passed over silently, and so is a
        provider that `stands_in_for` one that was tried; unavailable ones are recorded as skipped attempts. `check(text)` returns
        a reason to reject an answer (empty text is always rejected). `item_id` and
        `run_id` are copied into each `provider_attempt` event. With `on_token`,
        providers that stream (`Provider.streams`) hand it their text as it is written;
        the check still runs on the whole answer.
        """
        attempts: list[Attempt] = []
        for provider in self.providers:
            if not provider.supports(request.task):
                continue
            if provider.stands_in_for and any(
                a.provider == provider.stands_in_for and not a.skipped for a in attempts
            ):
                continue
            try:
                ok, reason = provider.available()
            except Exception as exc:
                ok, reason = False, _describe(exc)
            if not ok:
                attempt = Attempt(provider.name, provider.model, False, 0.0, f"unavailable: {reason}", True)
                attempts.append(attempt)
                self._emit(attempt, request, item_id, run_id)
                continue
            start = time.perf_counter()
            completion = None
            try:
                if on_token is not None and provider.streams:
                    completion = _run_stream(provider, request, on_token)
                else:
                    completion = provider.generate(request)
                problem = "" if completion.text.strip() else "empty output"
                if not problem and check is not None:
                    problem = check(completion.text)
                if problem:
                    raise InvalidOutputError(problem)
            except Exception as exc:
                latency = (time.perf_counter() - start) * 1000
                used = (completion.tokens_in, completion.tokens_out) if completion is not None else (0, 0)
                attempt = Attempt(provider.name, provider.model, False, latency, _describe(exc), False, *used)
                LOG.info("provider %s/%s failed: %s", provider.name, provider.model, attempt.error)
                attempts.append(attempt)
                self._emit(attempt, request, item_id, run_id)
                continue
            latency = (time.perf_counter() - start) * 1000
            attempt = Attempt(provider.name, completion.model or provider.model, True, latency,
                              tokens_in=completion.tokens_in, tokens_out=completion.tokens_out)  # fmt: skip
            attempts.append(attempt)
            self._emit(attempt, request, item_id, run_id, completion)
            return ChainResult(completion=completion, provider=provider.name, attempts=tuple(attempts))
        if not attempts:
            raise AllProvidersFailedError(
                f"No provider in the chain can do {request.task!r}: add one to HERALD_PROVIDERS", ()
            )
        summary = "; ".join(f"{a.provider}/{a.model}: {a.error}" for a in attempts)
        raise AllProvidersFailedError(
            f"Every provider failed ({summary}). Set GROQ_API_KEY or HERALD_OPENAI_BASE_URL, "
            "or keep 'template' in HERALD_PROVIDERS",
            tuple(attempts),
        )

    def _emit(
        self,
        attempt: Attempt,
        request: Request,
        item_id: int | None,
        run_id: str | None,
        completion: Completion | None = None,
    ) -> None:
        if self.events is None:
            return
        outcome = "ok" if attempt.ok else ("skipped" if attempt.skipped else "error")
        extra: dict[str, object] = {"model": attempt.model, "task": request.task}
        if attempt.error:
            extra["error"] = attempt.error
        if run_id:
            extra["run_id"] = run_id
        self.events.emit(
            "provider_attempt",
            item_id=item_id,
            provider=attempt.provider,
            latency_ms=attempt.latency_ms,
            outcome=outcome,
            scores={"tokens_in": float(attempt.tokens_in), "tokens_out": float(attempt.tokens_out)},
            **extra,
        )


def build_chain(settings: Settings, events: EventLog | None = None) -> FallbackChain:
    """A `FallbackChain` over `settings.providers`, in that order (builds clients lazily)."""
    providers: list[Provider] = []
    for name in settings.providers:
        providers.extend(get_provider(name)(settings))
    return FallbackChain(providers, events=events)
