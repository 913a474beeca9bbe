"""Off-policy evaluation: how good would a new policy have been, judged from old logs.

Each logged sample is (state, logged action, propensity p of that action under
the logging policy, reward). For a deterministic target policy pi the
importance weight is w = 1[pi(state) == action] / p, and

- IPS:   V = mean(w * r)                       (unbiased, high variance)
- SNIPS: V = sum(w * r) / sum(w)               (self-normalised: bounded by the rewards, slightly biased)
- DR:    V = mean(q(s, pi(s)) + w * (r - q(s, a)))  with q a reward model

The reward model `fit_reward_model` is the mean logged reward per (state,
action), falling back to the state's mean and then the global mean. Pure
functions over lists and numpy; no storage (the agent gathers the logs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["OPEEstimate", "ips", "snips", "doubly_robust", "fit_reward_model", "evaluate_policy"]


@dataclass(frozen=True)
class OPEEstimate:
    """Estimated value of a target policy from logged data, next to the logged policy's own."""

    n: int
    logged_value: float | None
    ips: float | None
    snips: float | None
    dr: float | None
    match_rate: float  # share of samples where the target policy agrees with the log
    effective_sample_size: float  # (sum w)^2 / sum w^2


def _arrays(rewards: Sequence[float], propensities: Sequence[float], matches: Sequence[float]):
    r = np.asarray(rewards, dtype=float)
    p = np.asarray(propensities, dtype=float)
    m = np.asarray(matches, dtype=float)
    if not (len(r) == len(p) == len(m)):
        raise ValueError("rewards, propensities and target probabilities must have the same length")
    if np.any(p <= 0) or np.any(p > 1):
        raise ValueError("propensities must be in (0, 1]")
    return r, p, m


def ips(rewards: Sequence[float], propensities: Sequence[float], target_probs: Sequence[float]) -> float:
    """Inverse propensity scoring: mean of pi(a|s)/p * r.

    Example: ips([1, 0], [0.5, 0.5], [1, 0]) == 1.0
    """
    r, p, m = _arrays(rewards, propensities, target_probs)
    return float(np.mean(m / p * r)) if len(r) else float("nan")


def snips(rewards: Sequence[float], propensities: Sequence[float], target_probs: Sequence[float]) -> float:
    """Self-normalised IPS: sum(w r) / sum(w); NaN when the target never matches the log."""
    r, p, m = _arrays(rewards, propensities, target_probs)
    w = m / p
    return float(np.sum(w * r) / np.sum(w)) if np.sum(w) > 0 else float("nan")


def doubly_robust(
    rewards: Sequence[float],
    propensities: Sequence[float],
    target_probs: Sequence[float],
    q_logged: Sequence[float],
    q_target: Sequence[float],
) -> float:
    """Doubly robust: mean of q(s, pi(s)) + w * (r - q(s, a)), with a reward model q."""
    r, p, m = _arrays(rewards, propensities, target_probs)
    ql = np.asarray(q_logged, dtype=float)
    qt = np.asarray(q_target, dtype=float)
    return float(np.mean(qt + m / p * (r - ql))) if len(r) else float("nan")


def fit_reward_model(
    states: Sequence[str], actions: Sequence[str], rewards: Sequence[float]
) -> Callable[[str, str], float]:
    """Mean reward per (state, action), else per state, else overall, as a function q(state, action)."""
    pair: dict[tuple[str, str], list[float]] = defaultdict(list)
    per_state: dict[str, list[float]] = defaultdict(list)
    for s, a, r in zip(states, actions, rewards, strict=False):
        pair[(s, a)].append(r)
        per_state[s].append(r)
    overall = float(np.mean(rewards)) if len(rewards) else 0.0
    pair_mean = {k: float(np.mean(v)) for k, v in pair.items()}
    state_mean = {k: float(np.mean(v)) for k, v in per_state.items()}

    def q(state: str, action: str) -> float:
        if (state, action) in pair_mean:
            return pair_mean[(state, action)]
        return state_mean.get(state, overall)

    return q


def evaluate_policy(
    *,
    rewards: Sequence[float],
    propensities: Sequence[float],
    states: Sequence[str],
    logged: Sequence[str],
    target: Sequence[str],
) -> OPEEstimate:
    """IPS, SNIPS and DR of a deterministic target policy (its action per sample) from logs."""
    n = len(rewards)
    if n == 0:
        return OPEEstimate(0, None, None, None, None, 0.0, 0.0)
    matches = [1.0 if a == t else 0.0 for a, t in zip(logged, target, strict=False)]
    q = fit_reward_model(states, logged, rewards)
    q_logged = [q(s, a) for s, a in zip(states, logged, strict=False)]
    q_target = [q(s, t) for s, t in zip(states, target, strict=False)]
    w = np.asarray(matches) / np.asarray(propensities, dtype=float)
    ess = float(w.sum() ** 2 / (w**2).sum()) if w.sum() > 0 else 0.0
    sn = snips(rewards, propensities, matches)
    return OPEEstimate(
        n=n,
        logged_value=float(np.mean(rewards)),
        ips=ips(rewards, propensities, matches),
        snips=None if np.isnan(sn) else sn,
        dr=doubly_robust(rewards, propensities, matches, q_logged, q_target),
        match_rate=float(np.mean(matches)),
        effective_sample_size=ess,
    )
