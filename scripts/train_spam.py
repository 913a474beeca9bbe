"""Train the spam model on the SMS Spam Collection and save it small.

Usage: .venv/bin/python scripts/train_spam.py [--data PATH] [--out PATH]

SMS ham is chatty, so formal prose (a LinkedIn post) would look like spam; the
claims of guard_dev.jsonl (news and meeting summaries, one or two sentences)
are added to every training fold as extra ham, never to the test folds.
Grouped 5-fold cross-validation (variants of one campaign template stay in one
fold) picks the decision threshold and reports precision, recall and F1; the
model is then fitted on all rows and written as gzip JSON (vocabulary, idf,
weights) to core/moderation/spam_model.json.gz, with the CV figures in `meta`.
Deterministic: the same data gives the same file.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.moderation.linear import fit_linear_model, save_linear_model  # noqa: E402
from core.moderation.normalise import normalise_text  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "spam_train.jsonl"
DEFAULT_OUT = ROOT / "core" / "moderation" / "spam_model.json.gz"
DEFAULT_EXTRA_HAM = ROOT.parent / "shared" / "data" / "guard_dev.jsonl"
FOLDS = 5
PARAMS = {"c": 30.0, "class_weight": "balanced", "max_features": 30_000, "masks_numbers": True}


def template_groups(texts: list[str], threshold: float = 0.5) -> list[int]:
    """Group ids: texts whose digit-masked word sets overlap (Jaccard >= threshold) share a group."""
    masked = [frozenset(re.sub(r"\d+", "#", t.lower()).split()) for t in texts]
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_word: dict[str, list[int]] = {}
    for i, words in enumerate(masked):
        for w in words:
            by_word.setdefault(w, []).append(i)
    for i, words in enumerate(masked):
        if len(words) < 3:
            continue
        candidates: set[int] = set()
        for w in words:
            if len(by_word[w]) <= 40:  # rare words find template siblings quickly
                candidates.update(j for j in by_word[w] if j > i)
        for j in candidates:
            other = masked[j]
            if len(words & other) / max(1, len(words | other)) >= threshold:
                parent[find(j)] = find(i)
    return [find(i) for i in range(len(texts))]


def load_extra_ham(path: Path | None) -> list[str]:
    """Formal prose used as extra ham: the distinct claims of guard_dev.jsonl (empty when absent)."""
    if path is None or not path.exists():
        return []
    claims = {
        json.loads(line)["claim"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    }
    return [normalise_text(c).text for c in sorted(claims)]


def cross_validate(
    texts: list[str], labels: list[int], groups: list[int], extra_ham: list[str] = ()
) -> dict[str, float]:
    """Grouped CV: out-of-fold probabilities, the F1-best threshold and the figures at it."""
    import numpy as np
    from sklearn.metrics import average_precision_score, precision_recall_fscore_support
    from sklearn.model_selection import GroupKFold

    y = np.asarray(labels)
    oof = np.zeros(len(texts))
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, y, groups):
        model = fit_linear_model(
            [texts[i] for i in train] + list(extra_ham), y[train].tolist() + [0] * len(extra_ham), **PARAMS
        )
        oof[test] = model.predict_proba([texts[i] for i in test])
    best = (0.0, 0.5)
    for t in np.arange(0.2, 0.95, 0.025):
        f1 = precision_recall_fscore_support(y, oof >= t, average="binary", zero_division=0)[2]
        best = max(best, (float(f1), round(float(t), 3)))
    p, r, f1, _ = precision_recall_fscore_support(y, oof >= best[1], average="binary", zero_division=0)
    return {
        "threshold": best[1],
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f1), 4),
        "pr_auc": round(float(average_precision_score(y, oof)), 4),
        "folds": FOLDS,
        "groups": len(set(groups)),
    }


def main(argv: list[str] | None = None) -> int:
    """Train, cross-validate and save the spam model; print the CV figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--extra-ham", type=Path, default=DEFAULT_EXTRA_HAM, help="JSONL with a `claim` field"
    )
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [normalise_text(r["text"]).text for r in rows]
    labels = [1 if r["label"] == "spam" else 0 for r in rows]
    groups = template_groups(texts)
    extra = load_extra_ham(args.extra_ham)
    figures = cross_validate(texts, labels, groups, extra)
    model = fit_linear_model(texts + extra, labels + [0] * len(extra), **PARAMS)
    model.meta = {
        "cv": figures,
        "data": args.data.name,
        "rows": len(rows),
        "extra_ham_rows": len(extra),
        "threshold": figures["threshold"],
        "params": PARAMS,
    }
    save_linear_model(model, args.out)
    print(json.dumps(figures, indent=2))
    print(f"saved {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
