"""Benchmark: the post pipeline's own overhead, and one post end to end with the local model.

1. Overhead: `generate_post` on the bundled sample project (data/samples/lumen)
   with a fake provider that answers instantly, first with the deterministic
   FakeEmbedder, then with the real MiniLM embedder and a warm index cache.
   Overhead = wall time minus the provider's own latency (from the recorded
   attempts); printed next to that provider time as the baseline, with a
   per-step breakdown (p50 over the runs), and the guard and moderation steps
   (other modules' work) apart from the rest. Target: under 300 ms.
2. End to end: one `generate_post` with the real embedder and the providers
   `local,template` (SmolLM2 through llama-cpp, the template writer as the
   fallback), printed next to the provider time it contains.

Everything runs in a temporary data folder; nothing touches data/ or logs/.
Run: .venv/bin/python bench/generate.py [--runs 10] [--real-runs 3] [--skip-local]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from chains.providers import FallbackChain, build_chain  # noqa: E402
from chains.types import Brief  # noqa: E402
from core.posts.pipeline import DEMO_SOURCES, PostResult, generate_post  # noqa: E402
from core.services import build_services  # noqa: E402
from tests.fakes import FakeEmbedder, FakeProvider  # noqa: E402
from utils.settings import load_settings  # noqa: E402

SAMPLE = DEMO_SOURCES["lumen"].path
TARGET_MS = 300.0
CHECK_STEPS = ("guard", "moderation")  # claim checking and moderation, reported apart


def _provider_ms(result: PostResult) -> float:
    return sum(a.latency_ms for a in result.draft.attempts)


def _run(services, runs: int, brief: Brief) -> list[tuple[float, PostResult]]:
    out = []
    for i in range(runs):
        start = time.perf_counter()
        result = generate_post(SAMPLE, Brief(**{**brief.__dict__, "topic": f"run {i} search"}), services)
        out.append(((time.perf_counter() - start) * 1000, result))
    return out


def _report(label: str, runs: list[tuple[float, PostResult]]) -> tuple[float, float]:
    """Print the figures; return (overhead p50, overhead p50 without the checking steps)."""
    walls = [w for w, _ in runs]
    provider = [_provider_ms(r) for _, r in runs]
    overhead = [w - p for w, p in zip(walls, provider, strict=True)]
    checks = [sum(r.timings.get(s, 0.0) for s in CHECK_STEPS) for _, r in runs]
    own = [o - c for o, c in zip(overhead, checks, strict=True)]
    p50 = statistics.median(overhead)
    print(f"\n{label} ({len(runs)} runs)")
    print(f"  wall p50            {statistics.median(walls):8.1f} ms")
    print(
        f"  provider p50        {statistics.median(provider):8.1f} ms   (baseline: the writing call itself)"
    )
    print(f"  overhead p50        {p50:8.1f} ms   max {max(overhead):.1f} ms   target < {TARGET_MS:.0f} ms")
    print(f"    of which guard + moderation p50 {statistics.median(checks):8.1f} ms")
    print(f"    pipeline without them p50       {statistics.median(own):8.1f} ms")
    steps = sorted({s for _, r in runs for s in r.timings}, key=lambda s: list(runs[0][1].timings).index(s))
    for step in steps:
        values = [r.timings.get(step, 0.0) for _, r in runs]
        print(f"    {step:<16} p50 {statistics.median(values):8.1f} ms")
    return p50, statistics.median(own)


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs with the fake embedder")
    parser.add_argument("--real-runs", type=int, default=3, help="runs with MiniLM (warm index)")
    parser.add_argument(
        "--skip-local", action="store_true", help="skip the end-to-end run with the local model"
    )
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="herald-bench-"))
    env = {**os.environ, "HERALD_DATA_DIR": str(base / "data"), "HERALD_LOG_DIR": str(base / "logs")}
    settings = load_settings(env)
    brief = Brief()
    print(f"sample project: {SAMPLE}  (data under {base})")

    # 1a. Fake embedder, instant provider.
    services = build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([FakeProvider()]))
    _run(services, 2, brief)  # warm-up: imports, first index build, models of later steps
    fake = _report("overhead: FakeEmbedder + instant FakeProvider", _run(services, args.runs, brief))

    # 1b. Real embedder, warm index cache, instant provider.
    t0 = time.perf_counter()
    real_settings = load_settings({**env, "HERALD_DATA_DIR": str(base / "data-real")})
    real = build_services(real_settings, chain=FallbackChain([FakeProvider()]))
    real.embedder()
    print(f"\nMiniLM load: {(time.perf_counter() - t0) * 1000:.0f} ms (once per process, not counted below)")
    cold_wall, cold = _run(real, 1, brief)[0]
    print(
        f"first run (cold index): wall {cold_wall:.0f} ms, index step {cold.timings.get('index', 0):.0f} ms"
    )
    warm = _report(
        "overhead: MiniLM (warm index cache) + instant FakeProvider", _run(real, args.real_runs, brief)
    )

    # 2. End to end with the local model.
    if not args.skip_local:
        local_settings = load_settings(
            {**env, "HERALD_DATA_DIR": str(base / "data-real"), "HERALD_PROVIDERS": "local,template"}
        )
        local = build_services(local_settings, embedder=real.embedder(), chain=build_chain(local_settings))
        start = time.perf_counter()
        result = generate_post(SAMPLE, brief, local)
        wall = (time.perf_counter() - start) * 1000
        print("\nend to end: MiniLM + providers local,template (1 run)")
        print(f"  wall                {wall:8.1f} ms")
        print(f"  provider            {_provider_ms(result):8.1f} ms   (baseline: the writing calls)")
        for a in result.draft.attempts:
            state = "ok" if a.ok else f"failed: {a.error[:70]}"
            print(f"    {a.provider}/{a.model}: {a.latency_ms:.0f} ms, {state}")
        print(
            f"  overhead            {wall - _provider_ms(result):8.1f} ms   written by {result.draft.provider}"
        )

    for name, (total, own) in (("FakeEmbedder", fake), ("MiniLM warm", warm)):
        verdict = "met" if total < TARGET_MS else "NOT met"
        print(
            f"overhead target < {TARGET_MS:.0f} ms with {name}: {verdict} "
            f"({total:.0f} ms in all; {own:.0f} ms without guard + moderation)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
