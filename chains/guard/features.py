"""Features of one claim against its evidence, for the calibrated support score.

`SourceView` holds a source's sentences, their vectors and token sets (built
once per source or per evidence pool); `claim_features` turns a claim (its
sentences and their vectors) into the fixed vector named by `FEATURE_NAMES`.
Pure numpy and regex; embedding is done by the caller.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from chains.guard.textutil import bigrams, content_tokens, negation_count, tokens

__all__ = ["SourceView", "FEATURE_NAMES", "claim_features", "build_source_view", "LOCAL_TOP"]

LOCAL_TOP = 3
FEATURE_NAMES = (
    "emb_mean",
    "emb_min",
    "emb_top3_mean",
    "uni_cov",
    "bi_cov",
    "bi_cov_min",
    "local_cov_mean",
    "local_cov_min",
    "local_novel_max",
    "novel_share",
    "novel_log",
    "num_missing",
    "name_missing",
    "neg_mismatch",
    "n_sentences",
    "log_len",
)
_NUM = re.compile(r"\d")
_CAP = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z]+(?:[-'][A-Za-z]+)?)")


@dataclass
class SourceView:
    """A source's sentences with vectors and token sets, for fast claim checks."""

    sentences: list[str]
    vectors: np.ndarray  # (n, dim), L2-normalised
    sentence_tokens: list[list[str]] = field(default_factory=list)
    vocab: set[str] = field(default_factory=set)
    bigram_set: set[tuple[str, str]] = field(default_factory=set)


def build_source_view(sentences: list[str], vectors: np.ndarray, extra_text: str = "") -> SourceView:
    """Tokenise sentences once; `extra_text` adds vocabulary (e.g. the whole project) without vectors."""
    sent_toks = [tokens(s) for s in sentences]
    vocab: set[str] = set()
    bis: set[tuple[str, str]] = set()
    for toks in sent_toks:
        vocab.update(toks)
        bis |= bigrams(toks)
    if extra_text:
        extra = tokens(extra_text)
        vocab.update(extra)
        bis |= bigrams(extra)
    return SourceView(sentences, vectors, sent_toks, vocab, bis)


def _capitalised_names(sentence: str) -> set[str]:
    names = set()
    for _i, m in enumerate(re.finditer(r"\b[A-Z][a-zA-Z]+\b", sentence)):
        if m.start() == 0 or sentence[: m.start()].strip() == "":
            continue
        word = m.group(0)
        if word.lower() in ("i",):
            continue
        names.add(word.lower())
    return names


def claim_features(claim_sentences: list[str], claim_vectors: np.ndarray, src: SourceView) -> np.ndarray:
    """The feature vector (order of `FEATURE_NAMES`) of a claim against a source view."""
    n = len(claim_sentences)
    if n == 0 or len(src.sentences) == 0:
        return _empty_features(claim_sentences, src)
    sims = claim_vectors @ src.vectors.T  # (n, m)
    best = sims.max(axis=1)
    k = min(LOCAL_TOP, sims.shape[1])
    top_idx = np.argsort(-sims, axis=1)[:, :k]
    top3 = np.take_along_axis(sims, top_idx, axis=1).mean(axis=1)

    all_toks: list[str] = []
    local_covs, local_novels, bi_covs, neg_mis = [], [], [], 0.0
    names: set[str] = set()
    for i, sent in enumerate(claim_sentences):
        toks = tokens(sent)
        all_toks.extend(toks)
        ctoks = content_tokens(sent)
        local: set[str] = set()
        for j in top_idx[i]:
            local.update(src.sentence_tokens[j])
        if ctoks:
            hits = [t in local for t in ctoks]
            local_covs.append(sum(hits) / len(ctoks))
            local_novels.append(
                sum(1 for h, t in zip(hits, ctoks, strict=False) if not h and t not in src.vocab)
                + 0.5 * sum(1 for h in hits if not h)
            )
        else:
            local_covs.append(1.0)
            local_novels.append(0.0)
        bis = bigrams(toks)
        bi_covs.append(len(bis & src.bigram_set) / len(bis) if bis else 1.0)
        best_src = src.sentence_tokens[int(top_idx[i][0])]
        if (negation_count(toks) > 0) != (negation_count(best_src) > 0):
            neg_mis = max(neg_mis, float(best[i]))
        names |= _capitalised_names(sent)

    ctoks_all = [t for t in content_tokens(" ".join(claim_sentences))]
    novel = [t for t in ctoks_all if t not in src.vocab]
    nums = {t for t in all_toks if _NUM.search(t)}
    bis_all = bigrams(all_toks)
    feats = {
        "emb_mean": float(best.mean()),
        "emb_min": float(best.min()),
        "emb_top3_mean": float(top3.mean()),
        "uni_cov": 1.0 - len(novel) / len(ctoks_all) if ctoks_all else 1.0,
        "bi_cov": len(bis_all & src.bigram_set) / len(bis_all) if bis_all else 1.0,
        "bi_cov_min": min(bi_covs),
        "local_cov_mean": float(np.mean(local_covs)),
        "local_cov_min": float(min(local_covs)),
        "local_novel_max": math.log1p(max(local_novels)),
        "novel_share": len(novel) / len(ctoks_all) if ctoks_all else 0.0,
        "novel_log": math.log1p(len(novel)),
        "num_missing": math.log1p(sum(1 for t in nums if t not in src.vocab)),
        "name_missing": math.log1p(sum(1 for t in names if t not in src.vocab)),
        "neg_mismatch": neg_mis,
        "n_sentences": math.log1p(n),
        "log_len": math.log1p(len(all_toks)),
    }
    return np.array([feats[name] for name in FEATURE_NAMES], dtype=np.float64)


def _empty_features(claim_sentences: list[str], src: SourceView) -> np.ndarray:
    toks = tokens(" ".join(claim_sentences))
    feats = dict.fromkeys(FEATURE_NAMES, 0.0)
    feats.update(
        novel_share=1.0,
        novel_log=math.log1p(len(content_tokens(" ".join(claim_sentences)))),
        local_novel_max=math.log1p(len(toks)),
        n_sentences=math.log1p(len(claim_sentences)),
        log_len=math.log1p(len(toks)),
    )
    return np.array([feats[name] for name in FEATURE_NAMES], dtype=np.float64)
