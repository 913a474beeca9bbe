"""Test doubles: fakes stand in for network services and, in unit tests, slow models."""

from __future__ import annotations

import hashlib
import re

import numpy as np

__all__ = ["FakeEmbedder"]

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
