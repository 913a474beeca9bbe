"""Groq chat models through `langchain_groq.ChatGroq`, one `Provider` per model.

Available only when `GROQ_API_KEY` is set and `langchain-groq` is installed;
the SDK is imported on first use. Timeouts come from
`settings.provider_timeout_s`. This module does not retry across models: the
fallback chain does that, one model at a time, in `settings.groq_models` order.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from chains.errors import NeedsKeyError, ProviderError, ProviderTimeoutError
from chains.providers import Provider, register_provider
from chains.types import Completion, Request

if TYPE_CHECKING:
    from utils.settings import Settings

__all__ = ["GroqProvider", "groq_providers", "chat_messages", "completion_from_message", "stream_chunks"]

NO_KEY = "No API key for groq: set GROQ_API_KEY"


def chat_messages(request: Request) -> list[Any]:
    """LangChain messages for a request: system, worked examples, then the user message."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m["role"]](content=m["content"]) for m in request.messages()]


def completion_from_message(message: Any, model: str) -> Completion:
    """A `Completion` from a LangChain AI message (text plus token usage when reported)."""
    content = message.content if isinstance(message.content, str) else str(message.content)
    usage = getattr(message, "usage_metadata", None) or {}
    return Completion(
        text=content,
        model=model,
        tokens_in=int(usage.get("input_tokens", 0) or 0),
        tokens_out=int(usage.get("output_tokens", 0) or 0),
    )


def stream_chunks(chunks: Iterable[Any], model: str) -> Generator[str, None, Completion]:
    """Yield the text of LangChain message chunks; return the whole `Completion` (with usage if reported)."""
    pieces: list[str] = []
    tokens_in = tokens_out = 0
    for chunk in chunks:
        content = chunk.content if isinstance(chunk.content, str) else str(chunk.content or "")
        usage = getattr(chunk, "usage_metadata", None) or {}
        tokens_in += int(usage.get("input_tokens", 0) or 0)
        tokens_out += int(usage.get("output_tokens", 0) or 0)
        if content:
            pieces.append(content)
            yield content
    return Completion("".join(pieces), model, tokens_in, tokens_out or len(pieces))


def _is_timeout(exc: BaseException) -> bool:
    return "timeout" in type(exc).__name__.lower() or "timed out" in str(exc).lower()


class GroqProvider(Provider):
    """One Groq model; needs `GROQ_API_KEY`."""

    name = "groq"
    streams = True

    def __init__(self, model: str, api_key: str, timeout_s: float = 30.0, base_url: str | None = None):
        self.model = model
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._base_url = base_url  # tests point this at an unreachable port
        self._client: Any = None
        self._lock = threading.Lock()

    def available(self) -> tuple[bool, str]:
        """Key present and langchain-groq importable."""
        if not self._api_key:
            return False, NO_KEY
        if importlib.util.find_spec("langchain_groq") is None:
            return False, "langchain-groq is not installed: pip install langchain-groq"
        return True, "key set"

    def _chat(self, request: Request) -> Any:
        with self._lock:
            if self._client is None:
                from langchain_groq import ChatGroq

                kwargs: dict[str, Any] = {
                    "model": self.model,
                    "api_key": self._api_key,
                    "timeout": self._timeout_s,
                    "max_retries": 1,
                }
                if self._base_url:
                    kwargs["base_url"] = self._base_url
                self._client = ChatGroq(**kwargs)
            return self._client.bind(max_tokens=request.max_tokens, temperature=request.temperature)

    def generate(self, request: Request) -> Completion:
        """Ask the Groq model; raises `NeedsKeyError` without a key."""
        if not self._api_key:
            raise NeedsKeyError(NO_KEY)
        try:
            message = self._chat(request).invoke(chat_messages(request))
        except Exception as exc:
            if _is_timeout(exc):
                raise ProviderTimeoutError(f"groq/{self.model} timed out after {self._timeout_s:g}s") from exc
            raise ProviderError(f"groq/{self.model}: {type(exc).__name__}: {exc}") from exc
        return completion_from_message(message, self.model)

    def stream(self, request: Request) -> Generator[str, None, Completion]:
        """Yield the Groq model's answer as it arrives (same errors as `generate`)."""
        if not self._api_key:
            raise NeedsKeyError(NO_KEY)
        try:
            return (yield from stream_chunks(self._chat(request).stream(chat_messages(request)), self.model))
        except Exception as exc:
            if _is_timeout(exc):
                raise ProviderTimeoutError(f"groq/{self.model} timed out after {self._timeout_s:g}s") from exc
            raise ProviderError(f"groq/{self.model}: {type(exc).__name__}: {exc}") from exc


def groq_providers(settings: Settings) -> list[Provider]:
    """One `GroqProvider` per model in `settings.groq_models`."""
    return [GroqProvider(m, settings.groq_api_key, settings.provider_timeout_s) for m in settings.groq_models]


register_provider("groq", groq_providers)
