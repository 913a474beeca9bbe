"""Fit the moderation stacker and calibrate thresholds on toxicity_dev.jsonl.

Usage: .venv/bin/python scripts/calibrate_moderation.py [--data PATH]

1. Scores every tweet's sentences with the profanity and hatesonar backends.
2. 5-fold stratified cross-validation. In each fold an `abuse` text model
   (word + char n-grams, logistic) is fitted on the training tweets (plus the
   claims of guard_dev.jsonl as extra clean prose, since posts are not
   tweets), and a
   logistic stacker over the log-odds of profanity, hatesonar and abuse
   (abuse taken out-of-fold inside the training part, 3 inner folds) gives
   out-of-fold `toxicity` (clean vs offensive-or-hate) and `hate` (hate vs
   the rest) scores, aggregated per text as the highest sentence.
3. Thresholds per level are quantiles of the out-of-fold scores of clean
   texts (the false-positive rates in FPR_TARGETS); spam thresholds come from
   the spam model's cross-validated threshold (scripts/train_spam.py).
4. Writes core/moderation/abuse_model.json.gz and stacker.json (fitted on all
   rows) and core/moderation/thresholds.json, with the CV figures. Deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.moderation.backends import ABUSE_MODEL_PATH, SpamBackend, get_backend  # noqa: E402
from core.moderation.decision import STACKER_PATH, THRESHOLDS_PATH, logit  # noqa: E402
from core.moderation.linear import LinearTextModel, fit_linear_model, save_linear_model  # noqa: E402
from core.moderation.normalise import normalise_text, split_units, unleet  # noqa: E402
from core.moderation.technical import technical_view  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "toxicity_dev.jsonl"
EXTRA_CLEAN = ROOT.parent / "shared" / "data" / "guard_dev.jsonl"
_EXTRA_CLEAN_CACHE: dict[str, list[str]] = {}
FEATURES = ("insult", "hate", "offensive", "abuse")
FOLDS = 5
INNER_FOLDS = 3
ABUSE_PARAMS = {"c": 4.0, "class_weight": "balanced", "max_features": 20_000, "char_range": (2, 4)}
SEED = 13
# level -> share of clean dev texts allowed at or above it (false-positive rate)
FPR_TARGETS = {
    "toxicity": {"flagged": 0.10, "review_required": 0.03, "rejected": 0.005},
    "hate": {"flagged": 0.05, "review_required": 0.01, "rejected": 0.002},
    "insult": {"flagged": 0.10, "review_required": 0.03, "rejected": None},
}
FIXED = {
    "threat": {"flagged": 0.5, "review_required": 0.9, "rejected": None},
    "personal_data": {"flagged": 0.5, "review_required": 0.85, "rejected": None},
    "link": {"flagged": 0.5, "review_required": 0.8, "rejected": None},
    "shouting": {"flagged": 0.6, "review_required": None, "rejected": None},
}


def load_rows(path: Path) -> list[dict[str, Any]]:
    """The dev rows."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sentence_texts(texts: list[str]) -> list[list[str]]:
    """Each text's units as the toxicity backends see them (normalised, technical view, de-leeted).

    The technical view changes no unit of toxicity_dev.jsonl (tests/test_moderation_technical.py
    checks it), so thresholds calibrated before it stay valid.
    """
    return [[unleet(technical_view(s)) for s in split_units(normalise_text(t).text)] or [""] for t in texts]


def backend_features(per_text: list[list[str]]) -> list[list[list[float]]]:
    """For each text, one vector (log-odds of insult, hate, offensive) per sentence."""
    flat = [s for sents in per_text for s in sents]
    prof = get_backend("profanity").score(flat)
    sonar = get_backend("hatesonar").score(flat)
    rows = [
        [logit(p["insult"]), logit(h["hate"]), logit(h["offensive"])]
        for p, h in zip(prof, sonar, strict=True)
    ]
    out, k = [], 0
    for sents in per_text:
        out.append(rows[k : k + len(sents)])
        k += len(sents)
    return out


def load_extra_clean(path: Path = EXTRA_CLEAN) -> list[str]:
    """Formal prose (the claims of guard_dev.jsonl) as extra clean text: posts are not tweets."""
    if not path.exists():
        return []
    claims = {
        json.loads(line)["claim"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    }
    return [unleet(normalise_text(c).text) for c in sorted(claims)]


def fit_abuse(texts: list[str], y: list[int]) -> LinearTextModel:
    """The abuse text model on whole (normalised, de-leeted) texts plus the extra clean prose."""
    extra = _EXTRA_CLEAN_CACHE.setdefault("rows", load_extra_clean())
    return fit_linear_model(list(texts) + extra, list(y) + [0] * len(extra), **ABUSE_PARAMS)


def with_abuse(
    base: list[list[list[float]]], sents: list[list[str]], model: LinearTextModel
) -> list[list[list[float]]]:
    """Append the abuse model's log-odds to every sentence vector."""
    flat = model.predict_proba([s for ss in sents for s in ss])
    out, k = [], 0
    for rows, ss in zip(base, sents, strict=True):
        out.append([r + [logit(flat[k + j])] for j, r in enumerate(rows)])
        k += len(ss)
    return out


def out_of_fold_abuse(
    base: list[list[list[float]]], sents: list[list[str]], y: list[int]
) -> list[list[list[float]]]:
    """Sentence vectors with abuse log-odds from models that never saw that text (inner CV)."""
    from sklearn.model_selection import StratifiedKFold

    whole = [" ".join(ss) for ss in sents]
    out: list[list[list[float]] | None] = [None] * len(base)
    for train, test in StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=SEED).split(whole, y):
        model = fit_abuse([whole[i] for i in train], [y[i] for i in train])
        part = with_abuse([base[i] for i in test], [sents[i] for i in test], model)
        for i, rows in zip(test, part, strict=True):
            out[i] = rows
    return [rows or [] for rows in out]


def _fit(features: list[list[list[float]]], y: list[int]) -> Any:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([np.max(np.array(f), axis=0) for f in features])
    return LogisticRegression(C=1.0, max_iter=2000).fit(x, np.asarray(y))


def _score(model: Any, features: list[list[list[float]]]) -> list[float]:
    import numpy as np

    return [float(np.max(model.predict_proba(np.array(f))[:, 1])) for f in features]


def cross_validated_scores(
    rows: list[dict[str, Any]], base: list[list[list[float]]], sents: list[list[str]]
) -> dict[str, list[float]]:
    """Out-of-fold toxicity and hate scores for every row (nested CV for the abuse model)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    labels = np.array([r["label"] for r in rows])
    harmful = [int(x != "clean") for x in labels]
    oof = {"toxicity": np.zeros(len(rows)), "hate": np.zeros(len(rows))}
    for train, test in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(labels, labels):
        train_l = train.tolist()
        abuse = fit_abuse([" ".join(sents[i]) for i in train_l], [harmful[i] for i in train_l])
        train_x = out_of_fold_abuse(
            [base[i] for i in train_l], [sents[i] for i in train_l], [harmful[i] for i in train_l]
        )
        test_x = with_abuse([base[i] for i in test], [sents[i] for i in test], abuse)
        tox = _fit(train_x, [harmful[i] for i in train_l])
        oof["toxicity"][test] = _score(tox, test_x)
        hate = _fit(train_x, [int(labels[i] == "hate") for i in train_l])
        oof["hate"][test] = _score(hate, test_x)
    return {k: v.tolist() for k, v in oof.items()}


def figures(rows: list[dict[str, Any]], oof: dict[str, list[float]], insult: list[float]) -> dict[str, float]:
    """ROC AUC clean vs offensive-or-hate (all, per origin) and hate recall at 5% FPR on clean."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    labels = np.array([r["label"] for r in rows])
    davidson = np.array([r["id"].startswith("davidson") for r in rows])
    harmful = labels != "clean"
    tox = np.array(oof["toxicity"])
    hate = np.array(oof["hate"])
    clean_hate = np.quantile(hate[labels == "clean"], 0.95)
    return {
        "auc_clean_vs_harmful": round(float(roc_auc_score(harmful, tox)), 4),
        "auc_davidson": round(float(roc_auc_score(harmful[davidson], tox[davidson])), 4),
        "auc_olid": round(float(roc_auc_score(harmful[~davidson], tox[~davidson])), 4),
        "auc_profanity_alone": round(float(roc_auc_score(harmful, insult)), 4),
        "hate_recall_at_5pct_fpr": round(float(np.mean(hate[labels == "hate"] > clean_hate)), 4),
        "auc_hate_vs_clean": round(
            float(roc_auc_score(labels[labels != "offensive"] == "hate", hate[labels != "offensive"])), 4
        ),
    }


def thresholds_from(
    rows: list[dict[str, Any]], scores: dict[str, list[float]]
) -> dict[str, dict[str, float | None]]:
    """Per category and level, the clean-score quantile matching FPR_TARGETS."""
    import numpy as np

    clean = np.array([r["label"] == "clean" for r in rows])
    out: dict[str, dict[str, float | None]] = {}
    for cat, levels in FPR_TARGETS.items():
        values = np.array(scores[cat])[clean]
        out[cat] = {
            level: None if fpr is None else round(float(np.quantile(values, 1 - fpr)) + 1e-4, 4)
            for level, fpr in levels.items()
        }
    spam_threshold = SpamBackend().threshold()
    # at the CV threshold a text is probably spam (flag it); only confident spam waits for a reviewer
    out["spam"] = {
        "flagged": spam_threshold,
        "review_required": max(0.8, spam_threshold),
        "rejected": None,
    }
    out.update(FIXED)
    return out


def main(argv: list[str] | None = None) -> int:
    """Calibrate, print the figures, write stacker.json and thresholds.json."""
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--thresholds-out", type=Path, default=THRESHOLDS_PATH)
    parser.add_argument("--stacker-out", type=Path, default=STACKER_PATH)
    parser.add_argument("--abuse-out", type=Path, default=ABUSE_MODEL_PATH)
    args = parser.parse_args(argv)
    rows = load_rows(args.data)
    sents = sentence_texts([r["text"] for r in rows])
    base = backend_features(sents)
    oof = cross_validated_scores(rows, base, sents)
    insult = [float(np.max(1 / (1 + np.exp(-np.array(f)[:, 0])))) for f in base]
    figs = figures(rows, oof, insult)
    labels = [r["label"] for r in rows]
    harmful = [int(label != "clean") for label in labels]
    abuse = fit_abuse([" ".join(ss) for ss in sents], harmful)
    abuse.meta = {"data": args.data.name, "rows": len(rows), "params": ABUSE_PARAMS}
    save_linear_model(abuse, args.abuse_out)
    features = out_of_fold_abuse(base, sents, harmful)
    tox = _fit(features, harmful)
    hate = _fit(features, [int(label == "hate") for label in labels])
    stacker = {
        "features": list(FEATURES),
        "models": {
            name: {
                "coef": [round(float(c), 6) for c in m.coef_.ravel()],
                "intercept": round(float(m.intercept_[0]), 6),
            }
            for name, m in (("toxicity", tox), ("hate", hate))
        },
        "cv": figs,
        "data": args.data.name,
    }
    # thresholds come from out-of-fold scores, so they match what unseen text gets
    table = thresholds_from(rows, {"toxicity": oof["toxicity"], "hate": oof["hate"], "insult": insult})
    args.stacker_out.write_text(json.dumps(stacker, indent=2) + "\n", encoding="utf-8")
    args.thresholds_out.write_text(
        json.dumps(
            {
                "source": f"scripts/calibrate_moderation.py on {args.data.name}, {FOLDS}-fold CV",
                "fpr_targets_on_clean": FPR_TARGETS,
                "cv": figs,
                "thresholds": table,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(json.dumps(figs, indent=2))
    print(json.dumps(table, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
