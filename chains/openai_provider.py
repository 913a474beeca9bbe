"""Any OpenAI-compatible chat endpoint (Ollama, LM Studio, vLLM) via `langchain_openai.ChatOpenAI`.

Available only when `HERALD_OPENAI_BASE_URL` is set. Connection problems fail
fast (a short connect timeout and no retries) so an unreachable server costs
the chain little. The SDK is imported on first use.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from chains.errors import ProviderError, ProviderTimeoutError, ProviderUnavailableError
from chains.groq_provider import chat_messages, completion_from_message, stream_chunks
from chains.providers import Provider, register_provider
from chains.types import Completion, Request

if TYPE_CHECKING:
    from utils.settings import Settings

__all__ = ["OpenAICompatProvider", "openai_providers", "CONNECT_TIMEOUT_S"]

CONNECT_TIMEOUT_S = 3.0


class OpenAICompatProvider(Provider):
    """One model on an OpenAI-compatible server."""

    name = "openai_compat"
    streams = True

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout_s: float = 30.0):
        self.base_url = base_url
        self.model = model
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._client: Any = None
        self._lock = threading.Lock()

    def available(self) -> tuple[bool, str]:
        """Base URL set and langchain-openai importable (no network probe)."""
        if not self.base_url:
            return False, "not configured: set HERALD_OPENAI_BASE_URL (e.g. http://localhost:11434/v1)"
        if importlib.util.find_spec("langchain_openai") is None:
            return False, "langchain-openai is not installed: pip install langchain-openai"
        return True, f"base URL {self.base_url}"

    def _chat(self, request: Request) -> Any:
        with self._lock:
            if self._client is None:
                import httpx
                from langchain_openai import ChatOpenAI

                self._client = ChatOpenAI(
                    base_url=self.base_url,
                    model=self.model,
                    api_key=self._api_key or "not-needed",
                    timeout=httpx.Timeout(self._timeout_s, connect=min(CONNECT_TIMEOUT_S, self._timeout_s)),
                    max_retries=0,
                )
            # langchain-openai sends `max_completion_tokens`; Ollama and older vLLM read `max_tokens`.
            return self._client.bind(
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                extra_body={"max_tokens": request.max_tokens},
            )

    def generate(self, request: Request) -> Completion:
        """Ask the server; connection errors and timeouts raise at once."""
        if not self.base_url:
            raise ProviderUnavailableError("not configured: set HERALD_OPENAI_BASE_URL")
        try:
            message = self._chat(request).invoke(chat_messages(request))
        except Exception as exc:
            raise self._error(exc) from exc
        return completion_from_message(message, self.model)

    def stream(self, request: Request) -> Generator[str, None, Completion]:
        """Yield the server's answer as it arrives (same errors as `generate`)."""
        if not self.base_url:
            raise ProviderUnavailableError("not configured: set HERALD_OPENAI_BASE_URL")
        try:
            return (yield from stream_chunks(self._chat(request).stream(chat_messages(request)), self.model))
        except Exception as exc:
            raise self._error(exc) from exc

    def _error(self, exc: Exception) -> ProviderError:
        kind = type(exc).__name__
        if "timeout" in kind.lower():
            return ProviderTimeoutError(f"{self.base_url} did not answer in {self._timeout_s:g}s")
        if "connection" in kind.lower():
            return ProviderError(f"cannot reach {self.base_url}: is the server running?")
        return ProviderError(f"{self.base_url}: {kind}: {exc}")


def openai_providers(settings: Settings) -> list[Provider]:
    """One provider for `settings.openai_model` at `settings.openai_base_url`."""
    return [
        OpenAICompatProvider(
            settings.openai_base_url,
            settings.openai_model,
            settings.openai_api_key,
            settings.provider_timeout_s,
        )
    ]


register_provider("openai_compat", openai_providers)
