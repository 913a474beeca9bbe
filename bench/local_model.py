"""The local GGUF writers side by side: speed, first token, memory, and posts that pass on real READMEs.

Run: .venv/bin/python bench/local_model.py [--models qwen2.5-coder-0.5b,smollm2-135m,/path/x.gguf]
        [--threads 1,2] [--readmes 10] [--skip-posts] [--skip-speed]

For each model (a key of `utils.local_models.PACKAGED_MODELS` or a GGUF path), in a fresh
child process so that memory figures are its own:
1. Speed, per thread count: load time, resident memory (RSS after load, peak), time to the
   first streamed token of a real post prompt through `LocalProvider.stream`, cold (whole prompt
   evaluated) and warm (after the system prompt and worked example were evaluated at load, as the
   app server does at start: only the user message is new), prompt and generation tokens per second.
2. Posts (1 thread, the shipped setting): ~10 real READMEs (the METADATA of installed
   packages, 3-60 KB) go through load -> index (MiniLM) -> card -> retrieve -> `generate_draft`
   with the model alone in the chain (no template fallback); a post passes when
   `chains.generate`'s output checks accept it AND the guard's confidence reaches
   `HERALD_GUARD_MIN_CONFIDENCE`. Also time per post, first streamed token, and the quality score
   next to the template writer's post from the same card (the bar a model has to clear).
SmolLM2-135M (the previous local writer) is the baseline: every figure is printed with its
ratio to SmolLM2's. The machine is shared (2 cores): the load average is printed with each run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

BASELINE = "smollm2-135m"
SITE = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
# Projects of different shapes (library, CLI, framework, data tool, web client, docs-heavy).
README_PACKAGES = (
    "requests",
    "click",
    "rich",
    "pydantic",
    "httpx",
    "tqdm",
    "jinja2",
    "sqlite_utils",
    "faiss_cpu",
    "plotly",
    "moviepy",
    "scikit_learn",
    "fonttools",
    "pandas",
)


def _rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB, from /proc."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def _model_path(spec: str) -> str:
    from utils.local_models import PACKAGED_MODELS, ensure_model_file, packaged_model_path

    path = packaged_model_path(spec) if spec in PACKAGED_MODELS else spec
    return ensure_model_file(path) if path else ""


def _post_request(tokens: int = 256):
    from chains.prompts import build_post_request
    from chains.types import Brief, Strategy
    from tests.chains_data import passages

    return build_post_request(Brief(), Strategy(), passages(), project_name="tinyqueue", max_tokens=tokens)


def child_speed(spec: str, threads: int, tokens: int) -> dict:
    """Speed and memory of one model at one thread count (run in a child process).

    The request is a real post prompt (tests/chains_data passages) through `LocalProvider.stream`,
    as the app sends it. "cold": the whole prompt evaluated (the first post of a process that did not
    preload, and the old behaviour); "warm": after `load_llama` evaluated the system prompt and the
    worked example (what the app server does at start), only the user message is new.
    """
    from chains.local_provider import LocalProvider, load_llama

    path = _model_path(spec)
    start = time.perf_counter()
    llm = load_llama(path, threads, warm=False)
    load_s = time.perf_counter() - start
    rss_load, _ = _rss_mb()
    request = _post_request(tokens)
    provider = LocalProvider(path, threads, tokens, timeout_s=300)
    prompt_tokens = provider._count(llm, request.messages())
    cold = _stream_timed(provider, request)
    llm.reset()
    start = time.perf_counter()
    from chains.local_provider import warm_system

    warm_system(llm)
    warm_s = time.perf_counter() - start
    warm = _stream_timed(provider, request)
    _, peak = _rss_mb()
    return {
        "load_s": load_s,
        "warm_s": warm_s,
        "rss_mb": rss_load,
        "peak_mb": peak,
        "prompt_tokens": prompt_tokens,
        "ttft_s": cold["ttft"],
        "ttft_warm_s": warm["ttft"],
        "prompt_tps": prompt_tokens / cold["ttft"] if cold["ttft"] else 0.0,
        "gen_tps": cold["gen_tps"],
        "gen_tokens": cold["n"],
        # CPU seconds of this process: what the same work takes on an otherwise idle core
        "ttft_cpu_s": cold["ttft_cpu"],
        "ttft_warm_cpu_s": warm["ttft_cpu"],
        "gen_tps_cpu": cold["gen_tps_cpu"],
        "load_avg": os.getloadavg()[0],
    }


def _stream_timed(provider, request) -> dict:
    start, cpu_start = time.perf_counter(), time.process_time()
    first = first_cpu = 0.0
    n_out = 0
    stream = provider.stream(request)
    try:
        while True:
            if next(stream):
                n_out += 1
                if not first:
                    first, first_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    except StopIteration:
        pass
    total, total_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "ttft": first,
        "ttft_cpu": first_cpu,
        "n": n_out,
        "gen_tps": (n_out - 1) / (total - first) if n_out > 1 and total > first else 0.0,
        "gen_tps_cpu": (n_out - 1) / (total_cpu - first_cpu) if n_out > 1 and total_cpu > first_cpu else 0.0,
    }


def readmes(n: int) -> list[tuple[str, str]]:
    """(package, README text) from installed packages' METADATA, 3-60 KB bodies, in a fixed order."""
    out = []
    for name in README_PACKAGES:
        for meta in sorted(SITE.glob(f"{name}-*.dist-info/METADATA"), key=lambda p: p.name.lower()):
            text = meta.read_text(encoding="utf-8", errors="replace")
            body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
            if 3_000 <= len(body) <= 60_000:
                out.append((name.replace("_", "-"), body))
            break
        if len(out) >= n:
            break
    return out


def child_posts(spec: str, n: int, data_dir: str, form: str = "example") -> dict:
    """Posts on real READMEs written by one model alone (run in a child process)."""
    import functools
    from dataclasses import replace

    import chains.generate
    from chains.prompts import build_post_request

    chains.generate.build_post_request = functools.partial(build_post_request, form=form)  # type: ignore[assignment]

    from chains.errors import AllProvidersFailedError
    from chains.generate import generate_draft
    from chains.guard import check_post
    from chains.local_provider import LocalProvider, load_llama
    from chains.providers import FallbackChain
    from chains.template_provider import TemplateProvider
    from chains.types import Brief, Strategy
    from rag.card import build_card
    from rag.index import build_index
    from rag.retrieve import retrieve
    from rag.sources import load_source
    from scripts.fit_guard import load_real_embedder
    from utils.settings import load_settings

    settings = replace(load_settings(), data_dir=Path(data_dir), providers=("local",))
    path = _model_path(spec)
    provider = LocalProvider(
        path, settings.local_threads, settings.local_max_tokens, settings.provider_timeout_s
    )
    chain = FallbackChain([provider])
    template = FallbackChain([TemplateProvider()])
    embedder = load_real_embedder()
    start = time.perf_counter()
    load_llama(path, settings.local_threads)  # what the app server does at start (HERALD_LOCAL_PRELOAD)
    preload_s = time.perf_counter() - start
    rows = []
    for name, body in readmes(n):
        folder = Path(data_dir) / "projects" / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "README.md").write_text(body, encoding="utf-8")
        source = load_source(folder, settings)
        index = build_index(source, embedder, settings)
        card = build_card(source)
        brief = Brief()
        passages = list(retrieve(index, f"{source.name} what it is features install", settings))
        times: list[float] = []
        start = time.perf_counter()
        raw: list[str] = []

        def on_token(piece: str, times=times, start=start, raw=raw) -> None:
            times.append(time.perf_counter() - start)
            raw.append(piece)

        row: dict = {"project": name}
        cpu_start = time.process_time()
        try:
            draft = generate_draft(
                brief,
                Strategy(),
                passages,
                chain,
                settings,
                project_name=source.name,
                card=card,
                on_token=on_token,
            )
        except AllProvidersFailedError as exc:
            row.update(checks=False, guard=False, reason=exc.attempts[-1].error[:120] if exc.attempts else "")
        # writing time only (the guard's is apart): wall clock, and CPU seconds on the one llama.cpp thread
        row["post_s"] = time.perf_counter() - start
        row["post_cpu_s"] = time.process_time() - cpu_start
        if row.get("checks") is not False:
            project_text = "\n".join(d.text for d in source.documents)
            report = check_post(draft.text, index, embedder, settings, None, project_text=project_text)
            row.update(
                checks=True,
                guard=report.confidence >= settings.guard_min_confidence,
                confidence=round(report.confidence, 2),
                quality=draft.quality,
                text=draft.text,
            )
        # the template's post from the same card and passages: the bar a model has to clear
        row["template_quality"] = generate_draft(
            brief, Strategy(), passages, template, settings, project_name=source.name, card=card
        ).quality
        row["ttft_s"] = times[0] if times else None
        row["raw"] = "".join(raw)
        rows.append(row)
        print(
            f"    {spec} {name}: {json.dumps({k: v for k, v in row.items() if k not in ('text', 'raw')})}",
            file=sys.stderr,
        )
    return {"rows": rows, "preload_s": preload_s, "load_avg": os.getloadavg()[0]}


def _child(args: list[str]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    sys.stderr.write(out.stderr[-20000:])
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else "  -  "


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default="qwen2.5-coder-0.5b,smollm2-135m")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--readmes", type=int, default=10)
    parser.add_argument("--skip-posts", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--form", default="example", help="post prompt: example (shipped), skeleton or free")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, spec, *rest = args.child
        if kind == "speed":
            result = child_speed(spec, int(rest[0]), args.tokens)
        else:
            result = child_posts(spec, int(rest[0]), rest[1], rest[2])
        print(json.dumps(result))
        return 0

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    speed_models = models if BASELINE in models else [*models, BASELINE]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    if not args.skip_speed:
        print(
            "\nSpeed (a real post prompt through LocalProvider.stream; fresh process per row).\n"
            "cold: the whole prompt is evaluated (no preload, the old behaviour); warm: the app server\n"
            "evaluated the system prompt and worked example at start (warm-up s), only the user message is new."
        )
        print(
            f"{'model':<22}{'thr':>4}{'load s':>8}{'RSS MB':>8}{'peak MB':>8}{'prompt':>7}"
            f"{'TTFT cold':>10}{'warm-up s':>10}{'TTFT warm':>10}{'warm/cold':>10}{'prompt t/s':>11}{'gen t/s':>9}"
            f"{'gen vs base':>12}{'load':>6}{'cold cpu s':>11}{'warm cpu s':>11}{'gen t/cpu s':>12}"
        )
        speed: dict[tuple[str, int], dict] = {}
        for n in [int(x) for x in args.threads.split(",")]:
            for model in [BASELINE, *[m for m in speed_models if m != BASELINE]]:
                speed[(model, n)] = _child(["speed", model, str(n)])
        for (model, n), r in speed.items():
            if "error" in r:
                print(f"{model:<22}{n:>4}  failed: {r['error'][:100]}")
                continue
            base = speed.get((BASELINE, n), {})
            print(
                f"{Path(model).stem[:21]:<22}{n:>4}{r['load_s']:>8.1f}{r['rss_mb']:>8.0f}{r['peak_mb']:>8.0f}"
                f"{r['prompt_tokens']:>7}{r['ttft_s']:>10.2f}{r['warm_s']:>10.2f}{r['ttft_warm_s']:>10.2f}"
                f"{_ratio(r['ttft_warm_s'], r['ttft_s']):>10}{r['prompt_tps']:>11.0f}{r['gen_tps']:>9.1f}"
                f"{_ratio(r['gen_tps'], base.get('gen_tps')):>12}{r['load_avg']:>6.1f}"
                f"{r['ttft_cpu_s']:>11.2f}{r['ttft_warm_cpu_s']:>11.2f}{r['gen_tps_cpu']:>12.1f}"
            )
    if not args.skip_posts:
        print(
            f"\nPosts on {args.readmes} real READMEs ({args.form} prompt, model alone in the chain, "
            "1 thread, MiniLM index, guard)"
        )
        with tempfile.TemporaryDirectory(prefix="herald-bench-") as data_dir:
            results = {m: _child(["posts", m, str(args.readmes), data_dir, args.form]) for m in models}
        base_share = None
        for model in sorted(models, key=lambda m: m != BASELINE):
            r = results[model]
            if "error" in r:
                print(f"  {model}: failed: {r['error'][:120]}")
                continue
            rows = r["rows"]
            checks = sum(x["checks"] for x in rows) / len(rows)
            both = sum(x["checks"] and x["guard"] for x in rows) / len(rows)
            post_s = statistics.median(x["post_s"] for x in rows)
            post_cpu = statistics.median(x["post_cpu_s"] for x in rows)
            ttfts = [x["ttft_s"] for x in rows if x["ttft_s"] is not None]
            if model == BASELINE:
                base_share = both
            passed = [x for x in rows if x["checks"] and x["guard"]]
            q_model = statistics.median(x["quality"] for x in passed) if passed else float("nan")
            q_template = statistics.median(x["template_quality"] for x in rows)
            better = sum(x.get("quality", -1) > x["template_quality"] for x in passed)
            print(
                f"  {Path(model).stem:<22} checks {checks:.0%}, checks+guard {both:.0%} "
                f"(baseline {'-' if base_share is None else format(base_share, '.0%')}) · median post {post_s:.1f} s ({post_cpu:.1f} CPU s) · "
                f"median first token {statistics.median(ttfts) if ttfts else float('nan'):.1f} s · "
                f"load avg {r['load_avg']:.1f} · preload {r['preload_s']:.1f} s\n"
                f"      quality of passing posts (median) {q_model:.0f} vs the template's {q_template:.0f} on the "
                f"same cards; better than the template on {better}/{len(rows)}"
            )
            for x in rows:
                why = x.get("reason") or (
                    f"guard confidence {x.get('confidence')}, quality {x.get('quality', 0):.0f} "
                    f"(template {x['template_quality']:.0f})"
                )
                verdict = "pass" if x["checks"] and x["guard"] else "FAIL"
                print(
                    f"      {x['project']:<14}{verdict:<5}{x['post_s']:>6.1f} s {x['post_cpu_s']:>6.1f} CPU s  {why}"
                )
                if verdict == "FAIL" and x.get("raw"):
                    print("          wrote: " + " ".join(x["raw"].split())[:160])
            best = next((x for x in rows if x["checks"] and x["guard"]), None)
            if best:
                print(
                    "      sample post ("
                    + best["project"]
                    + "):\n        "
                    + best["text"].replace("\n", "\n        ")
                )
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
