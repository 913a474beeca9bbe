"""Quality score benchmark: does the score rank good posts above poor ones, on projects it never saw?

Run: .venv/bin/python bench/quality.py [--site-packages DIR] [--fit]

Data: bench/data/quality_posts.jsonl (labelled posts about real projects, see
bench/data/README.md), scored against each project's README from the
installed packages' METADATA. Prints ROC AUC of the shipped score and of the
old score (the baseline, the formula before issue 13, kept here verbatim) on
all posts and on held-out folds grouped by project (leave-3-projects-out;
the part weights refitted on the other projects in each fold), the highest
score of a post with a capped defect, means per writer and failure kind, and
microseconds per post. `--fit` prints weights fitted on all posts (to update
`chains.quality.QUALITY_WEIGHTS`).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

DATA = ROOT / "bench" / "data" / "quality_posts.jsonl"
FOLD_PROJECTS = 3


def auc(scores: list[float], labels: list[int]) -> float:
    """ROC AUC (Mann-Whitney), ties counted half."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


# --- the old score, verbatim (the baseline) ------------------------------------
def old_score(text: str, hook: str, hashtags: list[str], passages: list, length: str = "medium") -> float:
    """The score as it was before issue 13: specificity, hook, length, readability, hashtag count."""
    from chains.prompts import LENGTH_TARGETS
    from chains.quality import _readability
    from chains.sentences import tokens

    vocab = set(tokens("\n".join(p.text for p in passages)))
    content = tokens(text)
    if content:
        grounded = sum(t in vocab for t in content) / len(content)
        specific = {
            w
            for w in re.findall(r"[A-Za-z0-9_.\-]+", text)
            if w.lower().strip(".-") in vocab
            and (any(c.isdigit() for c in w) or re.search(r"[a-z][A-Z]|_|-\w", w) or w[:1].isupper())
        }
        spec = 100 * (0.6 * grounded + 0.4 * min(1.0, len(specific) / 6))
    else:
        spec = 0.0
    hook_s = 0.0
    if hook:
        hook_s = 40.0
        if 30 <= len(hook) <= 150:
            hook_s += 20
        elif len(hook) < 15 or len(hook) > 200:
            hook_s -= 20
        if hook.rstrip().endswith("?") or re.search(r"\d", hook):
            hook_s += 15
        if re.search(r"\byou(r)?\b", hook, re.I):
            hook_s += 10
        if len(hook) <= 210:
            hook_s += 15
        hook_s = max(0.0, min(100.0, hook_s))
    lo, hi = LENGTH_TARGETS[length]
    n = len(text)
    fit = (
        100.0
        if lo <= n <= hi
        else (100.0 * n / lo if n < lo else max(0.0, 100.0 - 100.0 * (n - hi) / (hi * 0.5)))
    )
    tags = {0: 0.0, 1: 30.0, 2: 60.0, 6: 60.0, 7: 30.0}.get(
        len(hashtags), 100.0 if 3 <= len(hashtags) <= 5 else 0.0
    )
    parts = [round(spec, 1), round(hook_s, 1), round(fit, 1), round(_readability(text), 1), tags]
    return round(sum(w * v for w, v in zip((0.3, 0.2, 0.2, 0.2, 0.1), parts, strict=True)), 1)


# --- data ------------------------------------------------------------------------
def load(site_packages: list[Path]) -> list[dict]:
    """The labelled posts with their project's README passages, hook and hashtags."""
    from make_quality_posts import SITE_PACKAGES, find_readme, split_tags

    from rag.types import Passage

    dirs = [*site_packages, *SITE_PACKAGES]
    rows = [json.loads(x) for x in DATA.read_text(encoding="utf-8").splitlines() if x.strip()]
    readmes: dict[str, str] = {}
    for r in rows:
        if r["dist"] not in readmes:
            readmes[r["dist"]] = find_readme(r["dist"], dirs)[0]
        body, tags = split_tags(r["text"])
        r["passages"] = [Passage(text=readmes[r["dist"]], kind="readme", path="README.md", score=1.0)]
        r["hashtags"] = tags
        r["hook"] = next((ln.strip() for ln in body.splitlines() if ln.strip()), "")
    return rows


def fit_weights(rows: list[dict], keys: list[str], steps: int = 3000) -> dict[str, float]:
    """Non-negative weights of the parts by logistic regression (projected gradient), mean 1."""
    import numpy as np

    x = np.array([[r["report"].parts[k] / 100.0 for k in keys] for r in rows])
    y = np.array([r["label"] for r in rows], dtype=float)
    x = x - x.mean(axis=0)
    w = np.ones(len(keys))
    b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        grad = x.T @ (p - y) / len(y) + 0.01 * w
        w = np.maximum(w - 0.5 * grad, 0.0)
        b -= 0.5 * float(np.mean(p - y))
    mean = float(w.mean()) or 1.0
    return {k: round(float(v / mean), 2) for k, v in zip(keys, w, strict=True)}


def main(argv: list[str] | None = None) -> int:
    from chains.quality import QUALITY_CAP, QUALITY_WEIGHTS, combine_parts, quality_report

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site-packages", type=Path, action="append", default=[])
    parser.add_argument("--fit", action="store_true", help="print weights fitted on all posts")
    args = parser.parse_args(argv)
    rows = load(args.site_packages)
    start = time.perf_counter()
    for r in rows:
        r["report"] = quality_report(
            r["text"], r["hook"], r["hashtags"], r["passages"], project_name=r["project"]
        )
    per_post = (time.perf_counter() - start) / len(rows)
    start = time.perf_counter()
    for r in rows:
        r["old"] = old_score(r["text"], r["hook"], r["hashtags"], r["passages"])
    old_per_post = (time.perf_counter() - start) / len(rows)
    labels = [r["label"] for r in rows]
    new = [r["report"].score for r in rows]
    old = [r["old"] for r in rows]
    projects = sorted({r["dist"] for r in rows})
    keys = list(QUALITY_WEIGHTS)

    folds = [projects[i : i + FOLD_PROJECTS] for i in range(0, len(projects), FOLD_PROJECTS)]
    oof: dict[int, float] = {}
    fold_aucs, fold_old = [], []
    for held in folds:
        train = [r for r in rows if r["dist"] not in held]
        test = [i for i, r in enumerate(rows) if r["dist"] in held]
        weights = fit_weights(train, keys)
        for i in test:
            oof[i] = combine_parts(rows[i]["report"].parts, rows[i]["report"].caps, weights)
        ys = [labels[i] for i in test]
        fold_aucs.append(auc([oof[i] for i in test], ys))
        fold_old.append(auc([old[i] for i in test], ys))
    oof_scores = [oof[i] for i in range(len(rows))]

    n_good = sum(labels)
    print(
        f"posts: {len(rows)} ({n_good} good, {len(rows) - n_good} poor), projects: {len(projects)}, "
        f"folds: {len(folds)} (leave-{FOLD_PROJECTS}-projects-out)"
    )
    print("                                          new score   old score (baseline)")
    print(f"ROC AUC, all posts (shipped weights)       {auc(new, labels):.3f}       {auc(old, labels):.3f}")
    print(
        f"ROC AUC, held-out folds (weights refit)    {auc(oof_scores, labels):.3f}       {auc(old, labels):.3f}"
        "   target >= 0.9 (pooled out-of-fold)"
    )
    print(
        f"  mean / min per held-out fold             {statistics.mean(fold_aucs):.3f} / {min(fold_aucs):.3f}"
        f"   {statistics.mean(fold_old):.3f} / {min(fold_old):.3f}"
    )
    capped = [r for r in rows if r["report"].caps]
    print(
        f"highest score of a post with a defect      {max(r['report'].score for r in capped):.1f}        "
        f"{max(r['old'] for r in capped):.1f}   cap {QUALITY_CAP:.0f} ({len(capped)} posts with a defect)"
    )
    good_scores = [r["report"].score for r in rows if r["label"]]
    poor_scores = [r["report"].score for r in rows if not r["label"]]
    print(
        f"median good / poor                         {statistics.median(good_scores):.1f} / "
        f"{statistics.median(poor_scores):.1f}  "
        f"{statistics.median([r['old'] for r in rows if r['label']]):.1f} / "
        f"{statistics.median([r['old'] for r in rows if not r['label']]):.1f}"
    )
    print(
        f"poor posts scoring above 60                {sum(s > 60 for s in poor_scores):4d}        "
        f"{sum(r['old'] > 60 for r in rows if not r['label']):4d}"
    )
    print(
        f"time per post                              {per_post * 1e6:7.0f} us  {old_per_post * 1e6:7.0f} us"
    )
    print("\nmean score by writer and kind (label: new / old)")
    groups: dict[tuple[str, str, int], list[dict]] = defaultdict(list)
    for r in rows:
        kind = r["kind"] if r["label"] == 0 else "good"
        groups[(r["writer"], kind, r["label"])].append(r)
    for (writer, kind, label), rs in sorted(groups.items()):
        print(
            f"  {writer:16s} {kind:14s} n={len(rs):3d}  {label}: "
            f"{statistics.mean(r['report'].score for r in rs):5.1f} / {statistics.mean(r['old'] for r in rs):5.1f}"
        )
    misses = [
        r
        for r in rows
        if (r["label"] and r["report"].score <= QUALITY_CAP)
        or (not r["label"] and r["report"].score > QUALITY_CAP)
    ]
    if misses:
        print("\nposts on the wrong side of the cap:")
        for r in misses:
            print(f"  {r['id']} (label {r['label']}): {r['report'].score}")
    if args.fit:
        print("\nweights fitted on all posts:", json.dumps(fit_weights(rows, keys)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
