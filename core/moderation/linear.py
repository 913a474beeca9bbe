"""A small linear text classifier stored as JSON: vocabulary, idf and weights.

Used for the spam model (and any other model a script in `scripts/` trains):
word and character n-gram counts over a fixed vocabulary, sublinear tf-idf,
L2 normalisation per analyzer, then a logistic function. Saving and loading
are plain JSON (gzip-compressed), so a model is small, readable and
reproducible from its training script; no pickles. Training lives in
`fit_linear_model`; this module does not choose data or thresholds.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "mask_numbers",
    "LinearTextModel",
    "load_linear_model",
    "save_linear_model",
    "fit_linear_model",
    "ANALYZERS",
]

ANALYZERS: dict[str, dict[str, Any]] = {
    "word": {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"},
    "char": {"analyzer": "char_wb", "ngram_range": (1, 5)},
}
_LONG_NUMBER = re.compile(r"\d{5,}")
_MONEY = re.compile(r"[£$€]\s?\d+")


def mask_numbers(text: str) -> str:
    """Replace long numbers and money amounts by placeholder words (phone numbers vary per campaign)."""
    return _LONG_NUMBER.sub(" NUMLONG ", _MONEY.sub(" MONEY ", text))


@dataclass
class LinearTextModel:
    """Fixed-vocabulary tf-idf features and logistic weights; `predict_proba(texts)`."""

    parts: list[dict[str, Any]]  # each: analyzer, vocabulary, idf, coef (aligned lists)
    intercept: float
    meta: dict[str, Any]
    masks_numbers: bool = False

    def __post_init__(self) -> None:
        self._vectorizers: list[Any] | None = None

    def _build(self) -> list[Any]:
        import numpy as np
        from sklearn.feature_extraction.text import CountVectorizer

        built = []
        for part in self.parts:
            opts = dict(ANALYZERS[part["analyzer"]])
            if "ngram_range" in part:
                opts["ngram_range"] = tuple(part["ngram_range"])
            vec = CountVectorizer(
                lowercase=True, vocabulary={t: i for i, t in enumerate(part["vocabulary"])}, **opts
            )
            idf = np.asarray(part["idf"], dtype=np.float64)
            coef = np.asarray(part["coef"], dtype=np.float64)
            built.append((vec, idf, coef))
        return built

    def decision_function(self, texts: Sequence[str]) -> Any:
        """Raw linear scores (log-odds) for each text."""
        import numpy as np

        if self._vectorizers is None:
            self._vectorizers = self._build()
        total = np.full(len(texts), self.intercept, dtype=np.float64)
        if not texts:
            return total
        if self.masks_numbers:
            texts = [mask_numbers(t) for t in texts]
        for vec, idf, coef in self._vectorizers:
            counts = vec.transform(texts).astype(np.float64)
            counts.data = 1.0 + np.log(counts.data)
            weighted = counts.multiply(idf).tocsr()
            norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            total += (weighted @ coef) / norms
        return total

    def predict_proba(self, texts: Sequence[str]) -> list[float]:
        """Probability of the positive class for each text."""
        import numpy as np

        z = np.clip(self.decision_function(list(texts)), -40, 40)
        return (1.0 / (1.0 + np.exp(-z))).tolist()


def fit_linear_model(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    c: float = 4.0,
    max_features: int = 20_000,
    min_df: int = 2,
    class_weight: str | None = "balanced",
    masks_numbers: bool = False,
    char_range: tuple[int, int] | None = None,
) -> LinearTextModel:
    """Fit word + char tf-idf logistic regression and return it in the portable form."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if masks_numbers:
        texts = [mask_numbers(t) for t in texts]
    vecs, blocks = [], []
    for name, base_opts in ANALYZERS.items():
        opts = dict(base_opts)
        if name == "char" and char_range:
            opts["ngram_range"] = tuple(char_range)
        vec = TfidfVectorizer(
            lowercase=True, sublinear_tf=True, min_df=min_df, max_features=max_features, **opts
        )
        blocks.append(vec.fit_transform(texts))
        vecs.append((name, vec))
    clf = LogisticRegression(C=c, max_iter=5000, class_weight=class_weight)
    clf.fit(sp.hstack(blocks).tocsr(), np.asarray(labels))
    coef = clf.coef_.ravel()
    parts, start = [], 0
    for name, vec in vecs:
        vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
        size = len(vocab)
        part_coef = coef[start : start + size]
        start += size
        parts.append(
            {
                "analyzer": name,
                "ngram_range": list(vec.ngram_range),
                "vocabulary": vocab,
                "idf": [round(float(x), 4) for x in vec.idf_],
                "coef": [round(float(x), 4) for x in part_coef],
            }
        )
    return LinearTextModel(
        parts=parts, intercept=float(clf.intercept_[0]), meta={}, masks_numbers=masks_numbers
    )


def save_linear_model(model: LinearTextModel, path: Path) -> None:
    """Write the model as gzip-compressed JSON (deterministic bytes for the same model)."""
    payload = {
        "parts": model.parts,
        "intercept": round(model.intercept, 6),
        "meta": model.meta,
        "masks_numbers": model.masks_numbers,
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    Path(path).write_bytes(gzip.compress(raw, mtime=0))


def load_linear_model(path: Path) -> LinearTextModel:
    """Read a model written by `save_linear_model`."""
    payload = json.loads(gzip.decompress(Path(path).read_bytes()).decode("utf-8"))
    return LinearTextModel(
        parts=payload["parts"],
        intercept=float(payload["intercept"]),
        meta=payload.get("meta", {}),
        masks_numbers=bool(payload.get("masks_numbers", False)),
    )
