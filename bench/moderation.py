"""Moderation benchmark: speed (batched and one at a time) and quality with cross-validation.

Run: .venv/bin/python bench/moderation.py [--quick]

Speed: texts per second of `moderate_batch` and of `moderate` one text at a
time on toxicity_dev.jsonl, next to the baseline of alt-profanity-check alone
in the same process. Quality (5-fold CV, as in scripts/calibrate_moderation.py
and scripts/train_spam.py): ROC AUC of clean vs offensive-or-hate, recall of
hate at a 5% false-positive rate on clean text, spam F1 with template-grouped
folds; baselines are profanity-check alone and a "has a long number" rule.

Software (`--software`, also part of the full run): the share of the clean
technical sentences (bench/data/clean_technical.jsonl) and of the harmless
posts of bench/data/quality_posts.jsonl that end up anything but approved,
and the harm ROC AUC of the shipped pipeline on toxicity_dev.jsonl, for this
code and for the moderation code of `--baseline-ref` (a git commit, before
issue 13), which runs from a `git archive` of that commit in a subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if "--measure-root" in sys.argv:  # measure the moderation code of another checkout (the baseline)
    sys.path.insert(0, sys.argv[sys.argv.index("--measure-root") + 1])
sys.path.insert(0 if "--measure-root" not in sys.argv else 1, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

# ../shared/data next to the main checkout (a worktree sits one level deeper, under wt/)
DATA = next(
    (p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data") if p.exists()),
    ROOT.parent / "shared" / "data",
)


def rate(n: int, seconds: float) -> str:
    return f"{n / max(seconds, 1e-9):8.0f} texts/s"


def _timed(fn) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def speed(texts: list[str]) -> None:
    from profanity_check import predict_prob

    from core.moderation import moderate, moderate_batch
    from utils.settings import load_settings

    settings = load_settings()
    moderate_batch(texts[:50], settings)  # load every backend once
    batched = min((_timed(lambda: moderate_batch(texts, settings)) for _ in range(2)), key=lambda t: t[0])
    singles = texts[:300]
    one = _timed(lambda: [moderate(t, settings) for t in singles])
    base = _timed(lambda: predict_prob(texts))
    load = os.getloadavg()[0]
    print(f"cores: {os.cpu_count()}  load average: {load:.1f}  texts: {len(texts)} (toxicity_dev)")
    print("                                      wall clock          CPU time (what an idle machine gets)")
    print(
        f"moderate_batch (all backends)        {rate(len(texts), batched[0])}   {rate(len(texts), batched[1])}   target >= 2000"
    )
    print(f"moderate, one text at a time         {rate(len(singles), one[0])}   {rate(len(singles), one[1])}")
    print(f"baseline: profanity-check alone      {rate(len(texts), base[0])}   {rate(len(texts), base[1])}")


def quality() -> None:
    import calibrate_moderation as cal
    import numpy as np
    import train_spam
    from sklearn.metrics import f1_score

    rows = cal.load_rows(DATA / "toxicity_dev.jsonl")
    sents = cal.sentence_texts([r["text"] for r in rows])
    base = cal.backend_features(sents)
    oof = cal.cross_validated_scores(rows, base, sents)
    insult = [float(np.max(1 / (1 + np.exp(-np.array(f)[:, 0])))) for f in base]
    figs = cal.figures(rows, oof, insult)
    print(f"ROC AUC clean vs offensive-or-hate   {figs['auc_clean_vs_harmful']:.4f}   target >= 0.92")
    print(f"  Davidson part / OLID part          {figs['auc_davidson']:.4f} / {figs['auc_olid']:.4f}")
    print(f"  baseline: profanity-check alone    {figs['auc_profanity_alone']:.4f}")
    print(f"hate recall at 5% FPR on clean       {figs['hate_recall_at_5pct_fpr']:.4f}")

    spam_rows = [json.loads(x) for x in (DATA / "spam_train.jsonl").read_text().splitlines() if x.strip()]
    texts = [train_spam.normalise_text(r["text"]).text for r in spam_rows]
    labels = [int(r["label"] == "spam") for r in spam_rows]
    groups = train_spam.template_groups(texts)
    spam = train_spam.cross_validate(
        texts, labels, groups, train_spam.load_extra_ham(train_spam.DEFAULT_EXTRA_HAM)
    )
    rule = [int(bool(re.search(r"\d{5,}", t))) for t in texts]
    print(
        f"spam F1 (grouped 5-fold CV)          {spam['f1']:.4f}   target >= 0.95  (P {spam['precision']:.3f} R {spam['recall']:.3f})"
    )
    print(f"  baseline: 'has a long number' rule {f1_score(labels, rule):.4f}")


BASELINE_REF = "0dbc516"  # main before issue 13's moderation changes
CLEAN = ROOT / "bench" / "data" / "clean_technical.jsonl"
POSTS = ROOT / "bench" / "data" / "quality_posts.jsonl"


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def measure_software() -> dict:
    """Figures of the moderation code on sys.path: clean technical text, harmless posts, harm AUC."""
    import inspect

    from sklearn.metrics import roc_auc_score

    from core.moderation import moderate_batch
    from utils.settings import load_settings

    settings = load_settings()
    knows_hosts = "project_hosts" in inspect.signature(moderate_batch).parameters

    def run(rows: list[dict]) -> list:
        kw = {"project_hosts": [tuple(r.get("hosts", ())) for r in rows]} if knows_hosts else {}
        return moderate_batch([r["text"] for r in rows], settings, **kw)

    clean = _rows(CLEAN)
    posts = _rows(POSTS)
    readme_hosts = {r["project"].lower().replace("-", "_"): r["hosts"] for r in clean}
    for p in posts:
        p["hosts"] = readme_hosts.get(p["dist"].lower().replace("-", "_"), [])
    out: dict = {"code": "this checkout" if not knows_hosts else "knows project hosts"}
    for name, rows in (("clean", clean), ("posts", posts)):
        res = run(rows)
        bad = [(r, m) for r, m in zip(rows, res, strict=True) if m.level != "approved"]
        reasons: dict[str, int] = {}
        for _, m in bad:
            for code in m.reason_codes():
                reasons[code] = reasons.get(code, 0) + 1
        out[name] = {
            "n": len(rows),
            "not_approved": len(bad),
            "reasons": reasons,
            "tech_n": sum(bool(r.get("words")) for r in rows),
            "tech_not_approved": sum(bool(r.get("words")) for r, _ in bad),
            "heldout_n": sum(r.get("split") == "heldout" for r in rows),
            "heldout_not_approved": sum(r.get("split") == "heldout" for r, _ in bad),
        }
    tox = _rows(DATA / "toxicity_dev.jsonl")
    res = moderate_batch([r["text"] for r in tox], settings)
    harmful = [r["label"] != "clean" for r in tox]
    out["harm_auc"] = roc_auc_score(harmful, [m.scores.get("toxicity", 0.0) for m in res])
    out["hate_auc"] = roc_auc_score(
        [r["label"] == "hate" for r in tox if r["label"] != "offensive"],
        [m.scores.get("hate", 0.0) for r, m in zip(tox, res, strict=True) if r["label"] != "offensive"],
    )
    clean_tweets = [m for r, m in zip(tox, res, strict=True) if r["label"] == "clean"]
    out["harmful_caught"] = sum(m.level != "approved" for h, m in zip(harmful, res, strict=True) if h) / sum(
        harmful
    )
    out["clean_tweets_flagged"] = sum(m.level != "approved" for m in clean_tweets) / len(clean_tweets)
    return out


def baseline_software(ref: str) -> dict:
    """`measure_software` run on the moderation code of git commit `ref` (a subprocess on a git archive)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--measure-root", tmp],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def software(ref: str) -> None:
    """Print clean-text and harm figures for this code next to the baseline commit's."""
    new, old = measure_software(), baseline_software(ref)

    def share(d: dict, key: str, n: str = "n", bad: str = "not_approved") -> str:
        return f"{d[key][bad] / max(d[key][n], 1):6.1%} ({d[key][bad]}/{d[key][n]})"

    print(f"\nsoftware text                                  this code            baseline {ref}")
    print(
        f"clean technical sentences not approved     {share(new, 'clean')}   {share(old, 'clean')}   target <= 2%"
    )
    print(
        f"  with kill/execute/exploit/attack/...     {share(new, 'clean', 'tech_n', 'tech_not_approved')}   "
        f"{share(old, 'clean', 'tech_n', 'tech_not_approved')}"
    )
    print(
        f"  held-out projects only                   {share(new, 'clean', 'heldout_n', 'heldout_not_approved')}   "
        f"{share(old, 'clean', 'heldout_n', 'heldout_not_approved')}"
    )
    print(f"harmless posts (quality set) not approved  {share(new, 'posts')}   {share(old, 'posts')}")
    print(f"  reasons now:    {new['clean']['reasons']} / posts {new['posts']['reasons']}")
    print(f"  reasons before: {old['clean']['reasons']} / posts {old['posts']['reasons']}")
    print(
        f"harm ROC AUC, shipped pipeline (toxicity)  {new['harm_auc']:.4f}               {old['harm_auc']:.4f}   must not drop"
    )
    print(
        f"hate ROC AUC, shipped pipeline             {new['hate_auc']:.4f}               {old['hate_auc']:.4f}"
    )
    print(
        f"harmful tweets not approved                {new['harmful_caught']:.1%}                {old['harmful_caught']:.1%}"
    )
    print(
        f"clean tweets not approved                  {new['clean_tweets_flagged']:.1%}                {old['clean_tweets_flagged']:.1%}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="speed only")
    parser.add_argument("--software", action="store_true", help="software text and harm figures only")
    parser.add_argument(
        "--baseline-ref", default=BASELINE_REF, help="git commit of the baseline moderation code"
    )
    parser.add_argument("--measure-root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_root:
        print(json.dumps(measure_software()))
        return 0
    if args.software:
        software(args.baseline_ref)
        return 0
    texts = [
        json.loads(x)["text"] for x in (DATA / "toxicity_dev.jsonl").read_text().splitlines() if x.strip()
    ]
    speed(texts)
    if not args.quick:
        quality()
        software(args.baseline_ref)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
