"""Benchmark: does every real README give a post that passes the output checks, offline, and how fast?

For each README of the METADATA corpus (the long descriptions of installed
packages, over `--min-bytes`), write a temporary project folder (README.md /
.rst / .txt, plus the metadata header as `PKG-INFO` unless `--readme-only`),
run `core.posts.pipeline.generate_post` end to end (load, index with the real MiniLM
embedder, card, retrieve, write, guard, moderation) with each writer in
`--writers` alone (e.g. `template`, `local`), cycling styles and hook types
so every pair is exercised. Prints per writer: the share of drafts and of
final versions (after the guard) that pass `chains.post_checks.post_problems`,
the share that ends `ready`, the median and p90 time per post next to the
15 s target (a ratio), and the most common problems; `--show N` prints N
posts to read.

Run: .venv/bin/python bench/posts.py [--writers template,local] [--limit 20] [--show 10]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench.corpus import DEFAULT_CORPUS, readmes, write_project  # noqa: E402
from chains.post_checks import post_problems  # noqa: E402
from chains.providers import FallbackChain, get_provider  # noqa: E402
from chains.types import HOOK_TYPES, STYLES, Brief, Strategy  # noqa: E402
from core.posts.pipeline import generate_post  # noqa: E402
from core.services import build_services  # noqa: E402
from utils.settings import load_settings  # noqa: E402

TARGET_S = 15.0


def _chain(writer: str, settings) -> FallbackChain:
    return FallbackChain(get_provider(writer)(settings))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help="glob of METADATA files")
    ap.add_argument("--min-bytes", type=int, default=3000)
    ap.add_argument("--writers", default="template", help="comma-separated provider names, each run alone")
    ap.add_argument("--limit", type=int, default=0, help="first N READMEs only (0: all)")
    ap.add_argument("--sample", type=int, default=0, help="N READMEs evenly spread over the corpus (0: all)")
    ap.add_argument("--readme-only", action="store_true", help="no PKG-INFO manifest next to the README")
    ap.add_argument("--show", type=int, default=0, help="print N posts")
    ap.add_argument("--out", default="", help="write one JSON line per post here")
    args = ap.parse_args()

    corpus = readmes(args.corpus, args.min_bytes)
    if args.limit:
        corpus = corpus[: args.limit]
    if args.sample and args.sample < len(corpus):
        step = len(corpus) / args.sample
        corpus = [corpus[int(k * step)] for k in range(args.sample)]
    print(f"corpus: {len(corpus)} READMEs over {args.min_bytes} bytes from {args.corpus}")
    work = Path(tempfile.mkdtemp(prefix="bench-posts-"))
    settings = replace(load_settings(), data_dir=work / "data", log_dir=work / "logs")
    embedder = None
    rows = []
    sink = open(args.out, "w", encoding="utf-8") if args.out else None  # noqa: SIM115 - streamed as posts finish
    for writer in [w.strip() for w in args.writers.split(",") if w.strip()]:
        services = build_services(settings, chain=_chain(writer, settings), embedder=embedder)
        embedder = services.embedder()  # loaded once, shared by every writer
        for i, (name, readme, body, head) in enumerate(corpus):
            folder = write_project(work, name, readme, body, head, manifest=not args.readme_only)
            brief = Brief(style=STYLES[i % len(STYLES)])
            strategy = Strategy(hook=HOOK_TYPES[(i // len(STYLES)) % len(HOOK_TYPES)])
            started = time.perf_counter()
            try:
                result = generate_post(str(folder), brief, services, strategy=strategy)
            except Exception as exc:  # noqa: BLE001 - a bench counts failures, it does not stop on them
                rows.append({"writer": writer, "name": name, "ok": False, "error": f"{type(exc).__name__}: {exc}"[:300],
                             "seconds": time.perf_counter() - started, "style": brief.style, "hook": strategy.hook})  # fmt: skip
                if sink is not None:
                    sink.write(json.dumps(rows[-1], ensure_ascii=False) + "\n")
                continue
            seconds = time.perf_counter() - started
            final = services.store.latest_version(result.item_id).text
            rows.append({
                "writer": writer, "name": name, "ok": True, "seconds": seconds, "style": brief.style,
                "hook": strategy.hook, "provider": result.draft.provider, "status": result.status,
                "draft_problems": list(post_problems(result.draft.text, result.card)),
                "final_problems": list(post_problems(final, result.card)),
                "text": result.draft.text, "final": final, "timings": result.timings,
            })  # fmt: skip
            r = rows[-1]
            slow = sorted(r["timings"].items(), key=lambda kv: -kv[1])[:3]
            print(f"  [{writer}] {i + 1:3d}/{len(corpus)} {name:<28} {seconds:5.1f}s {r['status']:<16} "
                  f"draft {'ok' if not r['draft_problems'] else r['draft_problems'][0][:50]} | "
                  + " ".join(f"{k} {v / 1000:.1f}s" for k, v in slow), flush=True)  # fmt: skip
            if sink is not None:
                sink.write(json.dumps(r, ensure_ascii=False) + "\n")
                sink.flush()
    if sink is not None:
        sink.close()
    print()
    for writer in dict.fromkeys(r["writer"] for r in rows):
        mine = [r for r in rows if r["writer"] == writer]
        done = [r for r in mine if r["ok"]]
        n = len(mine)
        draft_ok = sum(not r["draft_problems"] for r in done)
        final_ok = sum(not r["final_problems"] for r in done)
        ready = sum(r["status"] == "ready" for r in done)
        times = sorted(r["seconds"] for r in done) or [0.0]
        p50, p90 = statistics.median(times), times[min(len(times) - 1, int(0.9 * len(times)))]
        print(f"writer {writer}: {n} READMEs, {n - len(done)} failed with a message")
        print(f"  drafts passing the checks: {draft_ok}/{n} = {draft_ok / max(n, 1):.0%}")
        print(f"  final versions passing:    {final_ok}/{n} = {final_ok / max(n, 1):.0%}; ready {ready}/{n}")
        print(
            f"  time per post: median {p50:.1f} s (target {TARGET_S:.0f} s, ratio {p50 / TARGET_S:.2f}), p90 {p90:.1f} s"
        )
        problems = Counter(p.split(":")[0] for r in done for p in r["draft_problems"])
        if problems:
            print("  draft problems: " + "; ".join(f"{k} x{v}" for k, v in problems.most_common(6)))
        errors = Counter(r["error"][:80] for r in mine if not r["ok"])
        for err, count in errors.most_common(3):
            print(f"  failed x{count}: {err}")
    for r in [r for r in rows if r["ok"]][: args.show]:
        print(f"\n===== {r['name']} [{r['writer']}, {r['style']}, {r['hook']}, {r['status']}] "
              f"{'' if not r['draft_problems'] else r['draft_problems']}\n{r['text']}")  # fmt: skip
        if r["final"] != r["text"]:
            print(f"----- after the guard:\n{r['final']}")


if __name__ == "__main__":
    main()
