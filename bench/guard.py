"""Benchmark the hallucination guard on claims about software (grouped by project) and on guard_dev.

Run: .venv/bin/python bench/guard.py [--data PATH] [--software PATH] [--speed-rows 120] [--no-writer] [--no-sample]

Software set (bench/data/software_set.jsonl, projects in bench/data/projects/): balanced accuracy
and ROC AUC of the cascade with grouped 5-fold CV by project (guard_dev always in training, models
and thresholds fitted on the training folds), with and without the NLI probe, per claim kind and
origin, against the guard as it was before this set (specifics rule + score fitted on guard_dev).
guard_dev: the same cascade grouped by source, per part. Then claims per second warm, the guard
step p50 for a 12-claim post on a real index, the judge's reach and cost with a local
OpenAI-compatible fake server, the 48 sample-project claims and the offline writer.
Sentence embeddings and NLI pair vectors are cached under data/guard_cache/.
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
CACHE = ROOT / "data" / "guard_cache" / "guard_dev_minilm.npz"
SPEED_PROJECTS = ("ripgrep", "fd", "cobra", "express", "gson", "sinatra")


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
    start, cpu = time.perf_counter(), time.process_time()
    verify_claims([(r["claim"], r["source"]) for r in subset], emb, load_settings())
    claim_s = time.perf_counter() - start
    print(f"  ({len(subset) / (time.process_time() - cpu):.1f} claims per CPU second, 2 threads)")
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


def software_claims_sample(embedder, baseline_threshold: float) -> None:
    """The shipped guard (check_post on a real index, no refit) on hand-labelled claims about the sample project.

    bench/data/software_claims.jsonl: 24 supported paraphrases and 24 unsupported edits written for
    tests/sample_project; nothing is fitted on them.
    """
    import json

    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    from chains.guard import check_post
    from chains.guard import nli as nli_stage
    from utils.settings import load_settings

    settings = load_settings()
    _, index, project_text = sample_project(embedder, settings)
    path = ROOT / "bench" / "data" / "software_claims.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    y = np.array([r["label"] == "supported" for r in rows], dtype=int)
    print(
        f"sample project ({len(rows)} hand-labelled claims about tests/sample_project, held out; check_post):"
    )
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
        print(
            f"  {label:<22} bacc {balanced_accuracy_score(y, verdicts):.3f} auc {roc_auc_score(y, scores):.3f}"
        )
    nli_stage.reset_scorer()


# ------------------------------------------------------------------ the software-claims set


def _fold_figures(X, y, groups, hard, sw, C, names, folds=5, seed=13, baseline=None):
    """Grouped CV by project on the software rows, guard_dev always in training.

    Per fold: the score model is fitted on the training rows the structured checks leave (guard_dev +
    the training projects), the threshold maximises balanced accuracy of the cascade on the training
    projects' rows; test projects get cascade scores and decisions. Returns (scores, decisions,
    baseline decisions) for every row (only software rows are filled)."""
    from sklearn.model_selection import GroupKFold

    from chains.guard.verify import HARD_CAP
    from scripts.fit_guard import make_model

    scores, dec, base_d = np.zeros(len(y)), np.zeros(len(y), bool), np.zeros(len(y), bool)
    idx_sw = np.flatnonzero(sw)
    for tr_sw, te_sw in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(
        idx_sw, y[idx_sw], groups[idx_sw]
    ):
        tr = np.concatenate([np.flatnonzero(~sw), idx_sw[tr_sw]])
        te = idx_sw[te_sw]
        fit_rows = tr[~hard[tr]]
        model = make_model(C, names).fit(X[fit_rows], y[fit_rows])
        p_tr = np.where(
            hard[tr], np.minimum(model.predict_proba(X[tr])[:, 1], HARD_CAP), model.predict_proba(X[tr])[:, 1]
        )
        p_te = np.where(
            hard[te], np.minimum(model.predict_proba(X[te])[:, 1], HARD_CAP), model.predict_proba(X[te])[:, 1]
        )
        on_sw = sw[tr]
        thr = pick_threshold(p_tr[on_sw], y[tr][on_sw])
        scores[te], dec[te] = p_te, p_te >= thr
        if baseline is not None:
            base_d[te] = baseline[te] >= pick_threshold(baseline[tr][on_sw], y[tr][on_sw])
    return scores, dec, base_d


def _kind_table(rows, y, scores, dec, mask) -> tuple[float, list[str]]:
    """Per claim kind: n, share judged right, balanced accuracy and AUC against every supported row."""
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    kinds = sorted({r["kind"] for r, m in zip(rows, mask, strict=True) if m})
    sup = mask & (y == 1)
    lines, worst = [], 1.0
    for k in kinds:
        km = mask & np.array([r.get("kind") == k for r in rows])
        right = float((dec[km] == (y[km] == 1)).mean())
        if (y[km] == 0).all():
            both = km | sup
            bacc = balanced_accuracy_score(y[both], dec[both])
            auc = roc_auc_score(y[both], scores[both])
            worst = min(worst, bacc)
            lines.append(
                f"    {k:<14} n={int(km.sum()):>3} unsupported caught {right:.2f}  bacc vs supported {bacc:.3f}  auc {auc:.3f}"
            )
        else:
            lines.append(
                f"    {k:<14} n={int(km.sum()):>3} {'kept' if (y[km] == 1).all() else 'right'} {right:.2f}"
            )
    return worst, lines


def software_figures(rows, data, hard, params, nli_z) -> None:
    """Balanced accuracy and AUC on the software set, grouped by project, with and without NLI; per kind."""
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    from chains.guard.features import FEATURE_NAMES
    from chains.guard.nli import NLI_FEATURES

    parts = np.array(data.parts)
    sw = parts == "software"
    y = data.y
    n_proj = len({r["project"] for r in rows if r.get("domain") == "software"})
    print(
        f"software set: {int(sw.sum())} claims, {n_proj} projects, grouped 5-fold CV by project (guard_dev always "
        f"in training); structured checks decide {hard[sw].mean():.0%} of them"
    )
    variants = []
    if nli_z is not None and "nli" in params:
        X2 = np.hstack([data.X, nli_z[:, None]])
        variants.append(
            ("guard with NLI", X2, params["nli"]["C"], list(FEATURE_NAMES) + list(NLI_FEATURES), hard)
        )
    variants.append(("guard without NLI", data.X, params["C"], list(FEATURE_NAMES), hard))
    legacy = np.array(
        [bool(_legacy_hard(r)) for r in rows]
    )  # before this work: only the specifics rule of specifics.py, score fitted on guard_dev alone
    variants.append(
        ("before: specifics + score fitted on guard_dev", data.X, params["C"], list(FEATURE_NAMES), legacy)
    )
    for label, X, C, names, h in variants:
        if label.startswith("before"):
            s, d = _before(X, y, sw, h, C, names)
            base_d = None
        else:
            s, d, base_d = _fold_figures(X, y, data.groups, h, sw, C, names, baseline=data.baseline)
        bacc = balanced_accuracy_score(y[sw], d[sw])
        auc = roc_auc_score(y[sw], s[sw])
        worst, lines = _kind_table(rows, y, s, d, sw)
        by_origin = "  ".join(
            f"{o}: {balanced_accuracy_score(y[m], d[m]):.3f}"
            for o in ("scripted", "template", "hand")
            for m in [sw & np.array([r.get("origin") == o for r in rows])]
            if m.any() and len(set(y[m])) == 2
        )
        print(
            f"  {label:<46} bacc {bacc:.3f} auc {auc:.3f}  worst kind bacc {worst:.3f}  by origin: {by_origin}"
        )
        if not label.startswith("before"):
            print("\n".join(lines))
        if base_d is not None and label == "guard without NLI":
            print(
                f"  {'embedding similarity (threshold on train folds)':<46} bacc "
                f"{balanced_accuracy_score(y[sw], base_d[sw]):.3f} auc {roc_auc_score(y[sw], data.baseline[sw]):.3f}"
            )


def _legacy_hard(row) -> bool:
    from chains.guard.specifics import HARD_KINDS, ProjectText, extract_specifics, missing_specifics

    project = _LEGACY.setdefault(row["source"], ProjectText(row["source"]))
    return any(s.kind in HARD_KINDS for s in missing_specifics(extract_specifics(row["claim"]), project))


_LEGACY: dict = {}


def _before(X, y, sw, hard, C, names):
    """The guard before the software set: specifics rule only, score fitted on guard_dev only (no software row)."""
    from chains.guard.verify import HARD_CAP
    from scripts.fit_guard import make_model

    model = make_model(C, names).fit(X[~sw], y[~sw])
    p = model.predict_proba(X)[:, 1]
    p = np.where(hard, np.minimum(p, HARD_CAP), p)
    return p, p >= pick_threshold(p[~sw], y[~sw])


def dev_figures(data, hard, params, nli_z) -> None:
    """guard_dev (news and meeting summaries) as an anchor: grouped CV by source, software rows always in training."""
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score
    from sklearn.model_selection import GroupKFold

    from chains.guard.features import FEATURE_NAMES
    from chains.guard.nli import NLI_FEATURES
    from chains.guard.verify import HARD_CAP
    from scripts.fit_guard import make_model

    parts = np.array(data.parts)
    sw = parts == "software"
    y = data.y
    print(
        f"guard_dev: {int((~sw).sum())} rows, grouped 5-fold CV by source (software rows always in training):"
    )
    variants = []
    if nli_z is not None and "nli" in params:
        variants.append(
            (
                "full cascade + NLI",
                np.hstack([data.X, nli_z[:, None]]),
                params["nli"]["C"],
                list(FEATURE_NAMES) + list(NLI_FEATURES),
            )
        )
    variants.append(("full cascade (no NLI)", data.X, params["C"], list(FEATURE_NAMES)))
    idx = np.flatnonzero(~sw)
    for label, X, C, names in variants:
        s, d, base_d = np.zeros(len(y)), np.zeros(len(y), bool), np.zeros(len(y), bool)
        for tr_i, te_i in GroupKFold(n_splits=5, shuffle=True, random_state=13).split(
            idx, y[idx], data.groups[idx]
        ):
            tr = np.concatenate([idx[tr_i], np.flatnonzero(sw)])
            te = idx[te_i]
            fit_rows = tr[~hard[tr]]
            model = make_model(C, names).fit(X[fit_rows], y[fit_rows])
            p_tr = np.where(
                hard[tr],
                np.minimum(model.predict_proba(X[tr])[:, 1], HARD_CAP),
                model.predict_proba(X[tr])[:, 1],
            )
            p_te = np.where(
                hard[te],
                np.minimum(model.predict_proba(X[te])[:, 1], HARD_CAP),
                model.predict_proba(X[te])[:, 1],
            )
            dev_tr = ~sw[tr]
            s[te], d[te] = p_te, p_te >= pick_threshold(p_tr[dev_tr], y[tr][dev_tr])
            base_d[te] = data.baseline[te] >= pick_threshold(data.baseline[tr][dev_tr], y[tr][dev_tr])
        cells = []
        for part in ("all", "summedits", "frank"):
            m = ~sw if part == "all" else parts == part
            cells.append(
                f"{part}: bacc {balanced_accuracy_score(y[m], d[m]):.3f} auc {roc_auc_score(y[m], s[m]):.3f}"
            )
        print(f"  {label:<24}" + "   ".join(cells))
    m = ~sw
    print(
        f"  {'embedding similarity':<24}all: bacc {balanced_accuracy_score(y[m], base_d[m]):.3f} "
        f"auc {roc_auc_score(y[m], data.baseline[m]):.3f}"
    )
    print(f"  structured checks fire on {hard[~sw].mean():.0%} of guard_dev rows")


# ------------------------------------------------------------------ posts on a real index


def project_index(embedder, settings, folder: Path):
    """A project folder loaded and indexed (a cache hit after the first call), and its whole text."""
    from rag.index import build_index
    from rag.sources import load_source

    source = load_source(folder, settings)
    index = build_index(source, embedder, settings)
    return index, "\n".join(f"{d.path}\n{d.text}" for d in source.documents)


def _posts(rows, project: str, size: int, n: int) -> list[str]:
    claims = [r["claim"] for r in rows if r.get("project") == project]
    posts = []
    for i in range(n):
        picked = [claims[(i * size + j) % len(claims)] for j in range(size)]
        posts.append("\n".join(picked))
    return posts


def post_speed(embedder, rows, project: str = "ripgrep") -> None:
    """Guard step p50 (check_post, no rewrite) for 12-claim posts on a real index, NLI on and off; a 60-claim post."""
    from chains.guard import check_post
    from chains.guard import nli as nli_stage
    from utils.settings import load_settings

    settings = load_settings()
    index, text = project_index(embedder, settings, ROOT / "bench" / "data" / "projects" / project)
    posts = _posts(rows, project, 12, 11)
    for label, on in (("NLI on", True), ("NLI off", False)):
        nli_stage.reset_scorer()
        if not on:
            nli_stage.set_scorer(None)
        elif nli_stage.get_scorer() is None:
            print("  NLI not installed: skipped")
            continue
        check_post(
            posts[0], index, embedder, settings, None, project_text=text
        )  # warm: models, sentence cache
        times, cpu, cold = [], [], []
        scorer = nli_stage.get_scorer()
        for post in posts[1:]:
            if scorer is not None:  # every pair new: the post was never checked before
                scorer.forget()
                t = time.perf_counter()
                check_post(post, index, embedder, settings, None, project_text=text)
                cold.append((time.perf_counter() - t) * 1000)
            # the same post again: re-checking while editing, pair vectors remembered
            t, c = time.perf_counter(), time.process_time()
            report = check_post(post, index, embedder, settings, None, project_text=text)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        n_claims = sum(c.checkable for c in report.claims)
        big = "\n".join(_posts(rows, project, 60, 1))
        if scorer is not None:
            scorer.forget()
        t = time.perf_counter()
        check_post(big, index, embedder, settings, None, project_text=text)
        t60 = (time.perf_counter() - t) * 1000
        first = f"first check p50 {np.median(cold):.0f} ms (max {max(cold):.0f}), " if cold else ""
        print(
            f"  guard step ({label}), 12-claim posts on {project}'s index, warm: {first}re-check p50 "
            f"{np.median(times):.0f} ms (max {max(times):.0f}), CPU p50 {np.median(cpu):.0f} ms of 2 threads "
            f"({n_claims} checked claims in the last); 60-claim post {t60:.0f} ms; load {os.getloadavg()[0]:.2f}"
        )
    nli_stage.reset_scorer()


# ------------------------------------------------------------------ the judge, online


class _FakeOpenAI:
    """A local OpenAI-compatible server: answers judge requests with a verdict and counts calls and tokens."""

    def __init__(self):
        import http.server
        import json
        import threading

        self.calls = {"judge": 0, "other": 0}
        self.tokens = {"in": 0, "out": 0}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                msgs = body.get("messages", [])
                system = next((m.get("content", "") for m in msgs if m.get("role") == "system"), "")
                user = " ".join(str(m.get("content", "")) for m in msgs if m.get("role") == "user")
                judge = "check one claim against evidence" in system
                outer.calls["judge" if judge else "other"] += 1
                if judge:
                    text = '{"verdict": "unsupported", "reason": "the evidence does not state this"}'
                else:
                    text = "A fake rewrite."
                t_in = (len(system) + len(user)) // 4  # ~4 characters per token
                t_out = len(text) // 4
                if judge:
                    outer.tokens["in"] += t_in
                    outer.tokens["out"] += t_out
                reply = {
                    "id": "fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", "fake"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": t_in,
                        "completion_tokens": t_out,
                        "total_tokens": t_in + t_out,
                    },
                }
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def judge_online(embedder, rows, projects=("ripgrep", "fd", "express")) -> None:
    """Claims that reach the judge and its cost per 12-claim post, with a local OpenAI-compatible fake server."""
    from dataclasses import replace

    from chains.guard import check_post
    from chains.providers import build_chain
    from utils.settings import load_settings

    fake = _FakeOpenAI()
    try:
        base = load_settings()
        settings = replace(
            base, providers=("openai_compat",), openai_base_url=fake.url, openai_model="fake-judge"
        )
        chain = build_chain(settings)
        posts = claims = reached = 0
        t_total = 0.0
        for project in projects:
            index, text = project_index(embedder, base, ROOT / "bench" / "data" / "projects" / project)
            for post in _posts(rows, project, 12, 4):
                before = fake.calls["judge"]
                t = time.perf_counter()
                report = check_post(post, index, embedder, settings, chain, project_text=text)
                t_total += time.perf_counter() - t
                posts += 1
                claims += sum(c.checkable for c in report.claims)
                reached += fake.calls["judge"] - before
        price_in, price_out = base.token_prices.get("groq", (0.00059, 0.00079))
        cost = (fake.tokens["in"] * price_in + fake.tokens["out"] * price_out) / 1000
        lo, hi = base.guard_judge_band
        print(
            f"  judge band {lo:.2f}-{hi:.2f}: {reached} of {claims} checked claims reached the judge "
            f"({reached / max(1, claims):.0%}), {reached / max(1, posts):.1f} per 12-claim post; "
            f"{fake.tokens['in'] / max(1, posts):.0f} tokens in + {fake.tokens['out'] / max(1, posts):.0f} out per post "
            f"= ${cost / max(1, posts):.5f} per post at Groq prices ({price_in}/{price_out} $ per 1k tokens); "
            f"guard step with judge and rewrites (fake server, no network latency) {1000 * t_total / max(1, posts):.0f} ms/post"
        )
    finally:
        fake.close()


def main() -> int:
    """Run every part of the benchmark and print the figures."""
    import json

    from chains.guard.dataset import CachedEmbedder, featurize_rows, load_rows, load_software, rule_decisions
    from scripts.fit_guard import PROJECTS, load_nli, load_real_embedder, probe_oof

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA))
    ap.add_argument("--software", default=str(ROOT / "bench" / "data" / "software_set.jsonl"))
    ap.add_argument("--speed-rows", type=int, default=120)
    ap.add_argument("--no-writer", action="store_true")
    ap.add_argument("--no-sample", action="store_true", help="skip the 48 claims about tests/sample_project")
    args = ap.parse_args()

    dev = load_rows(args.data)
    software, docs = load_software(args.software, PROJECTS)
    rows = dev + software
    emb = CachedEmbedder(load_real_embedder(), CACHE)
    t0 = time.perf_counter()
    nli = load_nli()
    data = featurize_rows(rows, emb, nli)
    emb.save()
    if nli is not None:
        nli.save()
    hard = rule_decisions(rows, docs)
    print(
        f"{len(dev)} guard_dev rows + {len(software)} software rows, features in {time.perf_counter() - t0:.1f}s"
    )
    params = json.loads((ROOT / "chains" / "guard_params.json").read_text())
    z = None
    if data.X_nli is not None and "nli" in params:
        # the probe's out-of-fold logit, grouped by project and source (seed 13)
        z = probe_oof(data.X_nli, data.y, data.groups, params["nli"]["probe"]["C"], 5, 13)
    software_figures(rows, data, hard, params, z)
    dev_figures(data, hard, params, z)

    sw_rows = [r for r in rows if r.get("domain") == "software"]
    # speed on the small projects (their files embed in seconds): every claim about them, halves for NLI on/off
    small = [r for r in sw_rows if r["project"] in SPEED_PROJECTS]
    n = min(args.speed_rows, len(small) // 2)
    runs = [("without NLI", False, small[:n])]
    if data.X_nli is not None:
        runs.append(("with NLI (2 threads)", True, small[n : 2 * n]))
    for label, on, subset in runs:
        end_to_end, warm = speed(subset, len(subset), nli=on)
        print(
            f"speed {label} ({len(subset)} software claims, MiniLM 2 threads): {warm:.1f} claims/s warm (project "
            f"sentences embedded, the app's case), {end_to_end:.1f} claims/s embedding each project too"
        )
    print("guard step in a post (check_post on a real index, no rewrite):")
    post_speed(emb.inner, sw_rows)
    print("judge online (local fake OpenAI-compatible server; rewrites go to it too):")
    judge_online(emb.inner, sw_rows)
    if not args.no_sample:
        software_claims_sample(emb.inner, 0.0)
    if not args.no_writer:
        print("offline writer on tests/sample_project (guard without rewrite):")
        writer_share(emb.inner)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
