"""Moderation benchmark: speed (batched and one at a time) and quality with cross-validation.

Run: .venv/bin/python bench/moderation.py [--quick]

Speed: texts per second of `moderate_batch` and of `moderate` one text at a
time on toxicity_dev.jsonl, next to the baseline of alt-profanity-check alone
in the same process. Quality (5-fold CV, as in scripts/calibrate_moderation.py
and scripts/train_spam.py): ROC AUC of clean vs offensive-or-hate, recall of
hate at a 5% false-positive rate on clean text, spam F1 with template-grouped
folds; baselines are profanity-check alone and a "has a long number" rule.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DATA = ROOT.parent / "shared" / "data"


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="speed only")
    args = parser.parse_args()
    texts = [
        json.loads(x)["text"] for x in (DATA / "toxicity_dev.jsonl").read_text().splitlines() if x.strip()
    ]
    speed(texts)
    if not args.quick:
        quality()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
