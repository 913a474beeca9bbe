"""Okapi BM25 over chunk texts with a scipy sparse matrix: tokenising, building, scoring, saving.

Each chunk's BM25 term weights are precomputed into a CSC matrix (chunks x
terms), so scoring a query is a sum of a few columns. Tokens are lowercase
alphanumeric runs with a light plural stemming, plus dotted version numbers
("2.3.0") kept whole. It does not fuse scores with dense retrieval (`rag.index`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np

__all__ = ["BM25Index", "tokenize", "stem"]

K1 = 1.5
B = 0.75
_WORD = re.compile(r"[a-z0-9]+")
_VERSION = re.compile(r"\d+(?:\.\d+)+")
STOPWORDS = frozenset(
    "a an and are as at be but by for from has have if in into is it its of on or that the their then "
    "there these this to was were will with you your we our can do does not no so than which what how "
    "why when where who whom i me my about".split()
)


def stem(word: str) -> str:
    """A light English stem: plural "-ies"/"-s" removed (not "-ss", "-us", "-is")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stopwords, lightly stemmed, plus whole version numbers.

    Example: tokenize("Queues in 2.3.0") == ["queue", "2", "3", "0", "2.3.0"]
    """
    low = text.lower()
    words = [stem(w) for w in _WORD.findall(low) if w not in STOPWORDS]
    return words + _VERSION.findall(low)


class BM25Index:
    """BM25 weights for a fixed list of texts; `scores(query)` gives one score per text."""

    def __init__(self, vocab: dict[str, int], weights, n_docs: int, idf: np.ndarray | None = None):
        self.vocab = vocab
        self.weights = weights  # scipy.sparse.csc_matrix, shape (n_docs, len(vocab))
        self.n_docs = n_docs
        self.idf = idf if idf is not None else np.zeros(len(vocab), dtype=np.float32)
        self.unknown_idf = float(np.log1p((n_docs + 0.5) / 0.5))  # a term no chunk contains

    @classmethod
    def build(cls, texts: list[str]) -> BM25Index:
        """Tokenise `texts` and precompute their BM25 term weights."""
        from scipy import sparse

        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths[row] = sum(counts.values())
            for term, tf in counts.items():
                col = vocab.setdefault(term, len(vocab))
                rows.append(row)
                cols.append(col)
                tfs.append(tf)
        n = len(texts)
        if not vocab or n == 0:
            return cls(vocab, sparse.csc_matrix((n, 0), dtype=np.float32), n, np.zeros(0, np.float32))
        rows_a = np.asarray(rows, dtype=np.int32)
        cols_a = np.asarray(cols, dtype=np.int32)
        tf_a = np.asarray(tfs, dtype=np.float32)
        df = np.bincount(cols_a, minlength=len(vocab)).astype(np.float32)
        idf = np.log1p((n - df + 0.5) / (df + 0.5))
        avgdl = float(lengths.mean()) or 1.0
        norm = K1 * (1 - B + B * lengths[rows_a] / avgdl)
        data = idf[cols_a] * tf_a * (K1 + 1) / (tf_a + norm)
        weights = sparse.csc_matrix((data.astype(np.float32), (rows_a, cols_a)), shape=(n, len(vocab)))
        return cls(vocab, weights, n, idf.astype(np.float32))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every text for `query` (zeros when no query term is known)."""
        cols = sorted({self.vocab[t] for t in tokenize(query) if t in self.vocab})
        if not cols:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self.weights[:, cols].sum(axis=1), dtype=np.float32).ravel()

    def normalised_scores(self, query: str) -> np.ndarray:
        """BM25 scores divided by the query's ideal score (every query term once), clipped to [0, 1].

        Unlike dividing by the best hit, a chunk that shares only one common word stays low.
        """
        terms = set(tokenize(query))
        if not terms:
            return np.zeros(self.n_docs, dtype=np.float32)
        ideal = sum(float(self.idf[self.vocab[t]]) if t in self.vocab else self.unknown_idf for t in terms)
        return np.clip(self.scores(query) / max(ideal, 1e-9), 0.0, 1.0)

    def save(self, folder: Path) -> None:
        """Write `bm25.npz` and `bm25_vocab.json` into `folder`."""
        from scipy import sparse

        sparse.save_npz(folder / "bm25.npz", self.weights, compressed=False)
        np.save(folder / "bm25_idf.npy", self.idf)
        (folder / "bm25_vocab.json").write_text(json.dumps(self.vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BM25Index:
        """Read an index written by `save`."""
        from scipy import sparse

        weights = sparse.load_npz(folder / "bm25.npz").tocsc()
        vocab = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        return cls(vocab, weights, weights.shape[0], np.load(folder / "bm25_idf.npy"))
