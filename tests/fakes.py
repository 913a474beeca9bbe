"""Test doubles: fakes stand in for network services and, in unit tests, slow models."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator

import numpy as np

from chains.providers import Provider
from chains.types import Completion, Request

__all__ = ["FakeEmbedder", "FakeProvider", "FailingProvider"]

_WORD = re.compile(r"[a-z0-9]+")


class FakeEmbedder:
    """A deterministic bag-of-words embedder: texts sharing words get similar vectors."""

    name = "fake-hashing"

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest()[:8], 16)
                out[row, h % self.dim] += 1.0 if (h >> 8) & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out


FAKE_JUDGE_ANSWER = '{"verdict": "supported", "reason": "fake judge"}'


def _grounded_answer(request: Request) -> str:
    """A default answer built from the request's passages, so post checks pass."""
    from chains.template_provider import compose_post, extract_sentences

    if request.task == "judge":
        return FAKE_JUDGE_ANSWER
    if request.task == "storyboard":
        n = int(request.context.get("scenes") or 3)
        lines = [s.text for s in extract_sentences(request.passages)][:n]
        return "\n".join(lines) or "\n".join(request.context.get("lines", [])) or "A fake scene."
    ctx = request.context
    post = compose_post(
        request.passages, ctx.get("brief"), ctx.get("strategy"), str(ctx.get("project_name", ""))
    )
    return post or "A fake answer from the fake provider, long enough to look like a post. " * 3


class FakeProvider(Provider):
    """Answers from a queue (`enqueue`), then with `default` (or text grounded in the passages).

    With `streams=True` it streams like an LLM: `stream()` yields the answer a few words at a
    time and records the pieces in `streamed`.
    """

    def __init__(
        self,
        name: str = "fake",
        model: str = "fake-1",
        default: str | None = None,
        streams: bool = False,
        words_per_piece: int = 3,
    ):
        self.name = name
        self.model = model
        self.default = default
        self.streams = streams
        self.words_per_piece = words_per_piece
        self.queue: list[str] = []
        self.history: list[Request] = []
        self.streamed: list[str] = []

    def enqueue(self, text: str) -> FakeProvider:
        """Queue one answer (answers are given in order)."""
        self.queue.append(text)
        return self

    def supports(self, task: str) -> bool:
        """Every task, the judge included."""
        return True

    def generate(self, request: Request) -> Completion:
        """The next queued answer, else the default."""
        self.history.append(request)
        if self.queue:
            text = self.queue.pop(0)
        else:
            text = self.default if self.default is not None else _grounded_answer(request)
        return Completion(
            text=text, model=self.model, tokens_in=len(request.user.split()), tokens_out=len(text.split())
        )

    def stream(self, request: Request) -> Generator[str, None, Completion]:
        """The `generate` answer in pieces of `words_per_piece` words (spacing kept)."""
        completion = self.generate(request)
        words = re.findall(r"\S+\s*|\s+", completion.text)
        for i in range(0, len(words), self.words_per_piece):
            piece = "".join(words[i : i + self.words_per_piece])
            self.streamed.append(piece)
            yield piece
        return completion


class FailingProvider(Provider):
    """Always raises `error` (a ConnectionError by default) and counts its calls."""

    def __init__(self, error: BaseException | None = None, name: str = "failing", model: str = "failing-1"):
        self.name = name
        self.model = model
        self.error = error if error is not None else ConnectionError("fake provider is unreachable")
        self.calls = 0

    def generate(self, request: Request) -> Completion:
        """Raise the configured error."""
        self.calls += 1
        raise self.error
