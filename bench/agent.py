"""Benchmark: does the strategy agent learn simulated creators' hidden tastes?

Simulated creators come in context groups (project kind x audience x tone).
Each group has hidden preferences over the 45 strategies: a favourite hook,
hashtag policy and length add to a base rating, the rest are random, plus a
small random interaction per strategy. A rating is the mean plus Gaussian
noise (sd 1 star), rounded and clipped to 1-5; its reward is (stars - 3) / 2,
exactly as `core.agent.rewards.reward_for` maps it. True values are exact
expectations over that noise.

Three policies see the same users and the same noise draws (common random
numbers): the Herald agent (default settings, stored in an in-memory SQLite
store), the same agent with a fixed epsilon of 0.1, and a uniform random
policy. At 100, 300 and 1000 ratings per group it prints the share of choices
that were the best strategy, how many groups' greedy strategy is the best one,
cumulative regret, and the IPS / SNIPS / DR estimates of the greedy policy's
value against its true value.

Run: .venv/bin/python bench/agent.py [--seeds 3] [--groups 10]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chains.types import AUDIENCES, HASHTAG_POLICIES, HOOK_TYPES, LENGTHS, TONES  # noqa: E402
from core.agent import Agent  # noqa: E402
from core.agent.context import PROJECT_KINDS, STRATEGY_KEYS  # noqa: E402
from utils.settings import load_settings  # noqa: E402

CHECKPOINTS = (100, 300, 1000)
NOISE_SD = 1.0


def expected_reward(mu: float, sd: float = NOISE_SD) -> float:
    """E[(clip(round(mu + N(0, sd)), 1, 5) - 3) / 2]."""

    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf((x - mu) / (sd * math.sqrt(2))))

    probs = [cdf(1.5), cdf(2.5) - cdf(1.5), cdf(3.5) - cdf(2.5), cdf(4.5) - cdf(3.5), 1 - cdf(4.5)]
    return sum(p * (s - 3) / 2 for p, s in zip(probs, range(1, 6), strict=True))


def make_groups(n_groups: int, rng: np.random.Generator) -> tuple[list[dict], np.ndarray, np.ndarray]:
    """Contexts, mean star rating per (group, strategy), and true expected reward."""
    contexts, mus = [], []
    seen = set()
    while len(contexts) < n_groups:
        ctx = {
            "project_kind": PROJECT_KINDS[rng.integers(len(PROJECT_KINDS))],
            "audience": AUDIENCES[rng.integers(len(AUDIENCES))],
            "tone": TONES[rng.integers(len(TONES))],
            "guard_confidence": 0.9,
            "hashtag_count": 2,
        }
        key = tuple(ctx.values())
        if key in seen:
            continue
        seen.add(key)
        hook = rng.uniform(-0.7, 0.2, len(HOOK_TYPES))
        hook[rng.integers(len(HOOK_TYPES))] = 0.6
        tags = rng.uniform(-0.5, 0.1, len(HASHTAG_POLICIES))
        tags[rng.integers(len(HASHTAG_POLICIES))] = 0.4
        length = rng.uniform(-0.5, 0.1, len(LENGTHS))
        length[rng.integers(len(LENGTHS))] = 0.4
        mu = []
        for key_ in STRATEGY_KEYS:
            h, t, n = key_.split("|")
            mu.append(
                2.9 + hook[HOOK_TYPES.index(h)] + tags[HASHTAG_POLICIES.index(t)] + length[LENGTHS.index(n)]
            )
        contexts.append(ctx)
        mus.append(np.array(mu) + rng.normal(0, 0.08, len(STRATEGY_KEYS)))
    mu_arr = np.clip(np.array(mus), 1, 5)
    values = np.vectorize(expected_reward)(mu_arr)
    return contexts, mu_arr, values


def rate(mu: float, z: float) -> float:
    """The reward of one noisy rating."""
    stars = int(min(5, max(1, round(mu + NOISE_SD * z))))
    return (stars - 3) / 2


def run(seed: int, n_groups: int) -> list[dict]:
    """One simulation; returns one row of figures per checkpoint."""
    rng = np.random.default_rng(seed)
    contexts, mu, values = make_groups(n_groups, rng)
    best = values.argmax(axis=1)
    noise = rng.normal(size=(n_groups, max(CHECKPOINTS)))
    settings = load_settings({})
    fixed_settings = load_settings({}, epsilon_start=0.1, epsilon_end=0.1)
    herald = Agent.create(None, seed=seed, settings=settings)
    fixed = Agent.create(None, seed=seed + 1, settings=fixed_settings)
    uniform = random.Random(seed + 2)
    regret = {"herald": 0.0, "fixed_eps": 0.0, "uniform": 0.0}
    best_choices = {"herald": 0, "fixed_eps": 0, "uniform": 0}
    rows = []
    for t in range(max(CHECKPOINTS)):
        for g, ctx in enumerate(contexts):
            for name, agent in (("herald", herald), ("fixed_eps", fixed)):
                choice = agent.choose(ctx)
                a = STRATEGY_KEYS.index(choice.strategy.key)
                agent.learn(ctx, choice, rate(mu[g, a], noise[g, t]))
                regret[name] += values[g, best[g]] - values[g, a]
                best_choices[name] += a == best[g]
            a = uniform.randrange(len(STRATEGY_KEYS))
            regret["uniform"] += values[g, best[g]] - values[g, a]
            best_choices["uniform"] += a == best[g]
        n = t + 1
        if n in CHECKPOINTS:
            greedy = [STRATEGY_KEYS.index(herald.best_strategy(ctx).key) for ctx in contexts]
            truth = float(np.mean([values[g, a] for g, a in enumerate(greedy)]))
            ope = herald.evaluate()
            rows.append(
                {
                    "n": n,
                    "greedy_best": float(np.mean([a == best[g] for g, a in enumerate(greedy)])),
                    "share_best": {k: v / (n * n_groups) for k, v in best_choices.items()},
                    "regret": {k: v / n_groups for k, v in regret.items()},
                    "truth": truth,
                    "ope": {"ips": ope.ips, "snips": ope.snips, "dr": ope.dr},
                }
            )
    return rows


def _rel_error(row: dict, name: str) -> float:
    """|estimate - truth| / |truth| for one OPE estimator (NaN when it has no estimate)."""
    value = row["ope"][name]
    return abs(value - row["truth"]) / abs(row["truth"]) if value is not None else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--groups", type=int, default=10)
    args = parser.parse_args()
    started = time.perf_counter()
    runs = [run(seed, args.groups) for seed in range(args.seeds)]
    print(
        f"Strategy agent: {args.groups} context groups x {args.seeds} seeds, 45 strategies, rating noise sd {NOISE_SD}"
    )
    print(
        f"{'ratings/group':>13} | {'greedy=best':>11} | {'share best: herald':>18} {'fixed-eps':>9} {'uniform':>7} |"
        f" {'regret/group: herald':>20} {'fixed-eps':>9} {'uniform':>8} | {'true V':>6} "
        f"{'IPS err':>8} {'SNIPS err':>9} {'DR err':>7}"
    )
    for i, n in enumerate(CHECKPOINTS):
        rs = [r[i] for r in runs]

        def avg(get, rs=rs):
            return float(np.mean([get(r) for r in rs]))

        truth = avg(lambda r: r["truth"])
        err = {name: avg(lambda r, name=name: _rel_error(r, name)) for name in ("ips", "snips", "dr")}
        print(
            f"{n:>13} | {avg(lambda r: r['greedy_best']):>11.0%} | {avg(lambda r: r['share_best']['herald']):>18.0%}"
            f" {avg(lambda r: r['share_best']['fixed_eps']):>9.0%} {avg(lambda r: r['share_best']['uniform']):>7.0%} |"
            f" {avg(lambda r: r['regret']['herald']):>20.1f} {avg(lambda r: r['regret']['fixed_eps']):>9.1f}"
            f" {avg(lambda r: r['regret']['uniform']):>8.1f} | {truth:>6.3f} {err['ips']:>8.1%} {err['snips']:>9.1%}"
            f" {err['dr']:>7.1%}"
        )
    last = [r[-1] for r in runs]
    greedy_best = float(np.mean([r["greedy_best"] for r in last]))
    ratio = float(np.mean([r["regret"]["herald"] / r["regret"]["uniform"] for r in last]))
    snips_err = float(np.mean([abs(r["ope"]["snips"] - r["truth"]) / abs(r["truth"]) for r in last]))
    print(
        f"targets after 1000 ratings/group: greedy=best {greedy_best:.0%} (>= 80%), "
        f"regret/uniform {ratio:.2f} (< 0.5), SNIPS error {snips_err:.1%} (< 10%)"
    )
    print(f"elapsed {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
