"""Benchmark: calibration of the engagement estimate on held-out ratings (simulated: no real ratings here).

There are no real team ratings in this repository, so ratings are SIMULATED:
a team's hidden taste is the documented prior's effects plus a random
deviation per feature (sd 0.35 stars) and its own base level; a rating is
that mean plus Gaussian noise (sd 0.9), rounded and clipped to 1-5. Posts
are random feature combinations. For each training size the estimate is
fitted (the prior below MIN_SAMPLES) and scored on 1,000 held-out ratings:
mean absolute error, share of ratings inside the 80% band, and per predicted
band the mean predicted vs mean observed stars. Baseline: always predict the
training mean. Averaged over seeds.

Run: .venv/bin/python bench/engagement.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.engagement import (  # noqa: E402
    HOOKS,
    MIN_SAMPLES,
    PRIOR_BASE,
    PRIOR_EFFECTS,
    Features,
    estimate,
    fit_engagement,
)

SIZES = (0, MIN_SAMPLES, 100, 300, 1000)
HELD_OUT = 1000


def random_features(rng: random.Random) -> Features:
    """A random post's features."""
    return Features(
        hook=rng.choice(HOOKS),
        chars=rng.choice((250, 900, 1600, 2400)),
        question=rng.random() < 0.5,
        hashtags=rng.choice((0, 2, 5, 8)),
        hook_above_fold=rng.random() < 0.7,
    )


def simulate(seed: int) -> dict[int, tuple[float, float, float, dict[str, tuple[float, float, int]]]]:
    """Per training size: (MAE, 80% band coverage, baseline MAE, per-band (pred, observed, n))."""
    rng = random.Random(seed)
    taste = {k: v + rng.gauss(0, 0.35) for k, v in PRIOR_EFFECTS.items()}
    base = PRIOR_BASE + rng.gauss(0, 0.3)

    def rate(f: Features) -> float:
        mu = base + sum(taste[n] for n in f.names())
        return float(min(5, max(1, round(mu + rng.gauss(0, 0.9)))))

    pool = [(f, rate(f)) for f in (random_features(rng) for _ in range(max(SIZES) + HELD_OUT))]
    test, train_all = pool[:HELD_OUT], pool[HELD_OUT:]
    out = {}
    for size in SIZES:
        train = train_all[:size]
        model = fit_engagement(train)
        ests = [estimate(f, model, samples=size) for f, _ in test]
        y = np.asarray([s for _, s in test])
        pred = np.asarray([e.stars for e in ests])
        inside = np.mean([e.low <= s <= e.high for e, (_, s) in zip(ests, test, strict=True)])
        mean = np.mean([s for _, s in train]) if train else PRIOR_BASE
        bands = {}
        for band in ("low", "medium", "high"):
            mask = np.asarray([e.band == band for e in ests])
            if mask.any():
                bands[band] = (float(pred[mask].mean()), float(y[mask].mean()), int(mask.sum()))
        out[size] = (float(np.abs(pred - y).mean()), float(inside), float(np.abs(mean - y).mean()), bands)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    t0 = time.perf_counter()
    runs = [simulate(s) for s in range(args.seeds)]
    print(f"SIMULATED ratings (no real ratings stored), {HELD_OUT} held out, {args.seeds} seeds")
    print(
        f"{'train':>6} {'source':>7} {'MAE':>6} {'baseline MAE':>13} {'in 80% band':>12}  per band: predicted / observed (n)"
    )
    for size in SIZES:
        mae = np.mean([r[size][0] for r in runs])
        cover = np.mean([r[size][1] for r in runs])
        base = np.mean([r[size][2] for r in runs])
        bands = []
        for band in ("low", "medium", "high"):
            vals = [r[size][3][band] for r in runs if band in r[size][3]]
            if vals:
                n = sum(v[2] for v in vals)
                p = sum(v[0] * v[2] for v in vals) / n
                o = sum(v[1] * v[2] for v in vals) / n
                bands.append(f"{band} {p:.2f}/{o:.2f} ({n})")
        source = "prior" if size < MIN_SAMPLES else "fitted"
        print(f"{size:>6} {source:>7} {mae:>6.3f} {base:>13.3f} {cover:>12.1%}  " + "; ".join(bands))
    f = random_features(random.Random(1))
    t1 = time.perf_counter()
    for _ in range(10000):
        estimate(f)
    per = (time.perf_counter() - t1) / 10000 * 1e6
    print(f"estimate: {per:.1f} µs per post; whole bench {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
