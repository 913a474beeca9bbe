"""Engagement estimate: a predicted star band for a post and the features that drive it.

Five features are read from the text (fast, no model): the hook type (the
strategy's when known, else guessed from the first line), the length, whether
it asks a question, the number of hashtags, and whether the hook fits above
LinkedIn's "see more" fold. Until the team has `MIN_SAMPLES` observations
(ratings with stars, plus exports counted as `EXPORT_STARS`), the estimate is
a clearly labelled prior from the documented rules in `PRIOR_EFFECTS`
(docs/readme/plan.md); from then on it is a ridge regression fitted on the
team's own observations, with an 80% band from its residuals. This module
reads the store only in `samples_from_store`; everything else is pure.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Features",
    "Driver",
    "Estimate",
    "EngagementModel",
    "features_of",
    "estimate",
    "fit_engagement",
    "samples_from_store",
    "estimate_for_store",
    "MIN_SAMPLES",
    "PRIOR_EFFECTS",
]

MIN_SAMPLES = 30  # observations before the fitted model replaces the prior
EXPORT_STARS = 4.0  # an export counts as a 4-star observation of the exported version
PRIOR_BASE = 3.2
PRIOR_SD = 1.1  # the prior's spread, in stars: wide on purpose (bench/engagement.py checks its coverage)
RIDGE = 2.0
Z80 = 1.2816
HOOKS = ("question", "statistic", "story", "bold_claim", "contrarian", "none")
LENGTH_BUCKETS = ("short", "medium", "long", "very_long")  # <400, <1300, <2000, more characters
HASHTAG_BUCKETS = ("none", "few", "some", "many")  # 0, 1-3, 4-5, 6+
# The prior, in stars added to PRIOR_BASE. Drawn from common LinkedIn writing advice: a concrete
# hook above the fold, 400-1300 characters, one question to invite replies, 1-3 hashtags.
PRIOR_EFFECTS: dict[str, float] = {
    "hook=question": 0.3,
    "hook=statistic": 0.25,
    "hook=story": 0.2,
    "hook=bold_claim": 0.1,
    "hook=contrarian": 0.0,
    "hook=none": -0.2,
    "length=short": -0.1,
    "length=medium": 0.2,
    "length=long": 0.0,
    "length=very_long": -0.3,
    "question=yes": 0.15,
    "question=no": 0.0,
    "hashtags=none": -0.1,
    "hashtags=few": 0.1,
    "hashtags=some": 0.0,
    "hashtags=many": -0.3,
    "fold=hook_above": 0.2,
    "fold=hook_cut": -0.2,
}
FEATURE_NAMES = tuple(PRIOR_EFFECTS)
_HASHTAG = re.compile(r"(?<![\w#])#[A-Za-z][\w-]*")


@dataclass(frozen=True)
class Features:
    """What the estimate looks at in one post."""

    hook: str
    chars: int
    question: bool
    hashtags: int
    hook_above_fold: bool

    def names(self) -> tuple[str, ...]:
        """The active feature names, e.g. ('hook=question', 'length=medium', ...)."""
        if self.chars < 400:
            length = "short"
        elif self.chars < 1300:
            length = "medium"
        elif self.chars < 2000:
            length = "long"
        else:
            length = "very_long"
        tags = HASHTAG_BUCKETS[
            0 if self.hashtags == 0 else 1 if self.hashtags <= 3 else 2 if self.hashtags <= 5 else 3
        ]
        return (
            f"hook={self.hook}",
            f"length={length}",
            f"question={'yes' if self.question else 'no'}",
            f"hashtags={tags}",
            f"fold={'hook_above' if self.hook_above_fold else 'hook_cut'}",
        )


@dataclass(frozen=True)
class Driver:
    """One feature and how many stars it adds (negative: takes away)."""

    feature: str
    effect: float

    def describe(self) -> str:
        """E.g. 'hook=question +0.30'."""
        return f"{self.feature} {self.effect:+.2f}"


@dataclass(frozen=True)
class Estimate:
    """A predicted rating with its 80% band, the main drivers and where it comes from."""

    stars: float
    low: float
    high: float
    band: str  # low | medium | high
    drivers: tuple[Driver, ...]
    source: str  # prior | fitted
    samples: int
    label: str


@dataclass(frozen=True)
class EngagementModel:
    """A ridge fit on the team's observations: intercept, one weight per feature, residual sd."""

    intercept: float
    weights: dict[str, float]
    residual_sd: float
    samples: int


def guess_hook(first_line: str) -> str:
    """The hook type a first line most looks like. Example: guess_hook('Why is CI slow?') -> 'question'."""
    line = first_line.strip()
    if not line:
        return "none"
    low = line.lower()
    if line.rstrip().endswith("?"):
        return "question"
    if re.search(r"\d", line):
        return "statistic"
    if re.match(r"^(i|we|last|when|yesterday|three|two|after)\b", low):
        return "story"
    if re.search(r"\b(stop|myth|wrong|unpopular|don't|never|overrated)\b", low):
        return "contrarian"
    return "bold_claim"


def features_of(text: str, *, hook: str | None = None, fold_chars: int = 210) -> Features:
    """Read the five features from a post. `hook` is the strategy's hook type when known."""
    stripped = text.strip()
    first = next((ln for ln in stripped.splitlines() if ln.strip()), "")
    body_without_tags = _HASHTAG.sub("", stripped)
    return Features(
        hook=hook if hook in HOOKS else guess_hook(first),
        chars=len(stripped),
        question="?" in body_without_tags,
        hashtags=len(_HASHTAG.findall(stripped)),
        hook_above_fold=0 < len(first.strip()) <= min(fold_chars, 140),
    )


def _band(stars: float) -> str:
    return "low" if stars < 3.0 else "medium" if stars < 3.8 else "high"


def _clip(x: float) -> float:
    return min(5.0, max(1.0, x))


def estimate(features: Features, model: EngagementModel | None = None, *, samples: int = 0) -> Estimate:
    """The estimate for one post: fitted when a model is given, else the labelled prior."""
    names = features.names()
    if model is None:
        effects = {n: PRIOR_EFFECTS[n] for n in names}
        stars = PRIOR_BASE + sum(effects.values())
        sd, source = PRIOR_SD, "prior"
        label = f"Prior from writing rules (not yet fitted: {samples} of {MIN_SAMPLES} ratings and exports so far)"
    else:
        effects = {n: model.weights.get(n, 0.0) for n in names}
        stars = model.intercept + sum(effects.values())
        sd, source = model.residual_sd, "fitted"
        label = f"Fitted on this team's {model.samples} ratings and exports"
    stars = _clip(stars)
    drivers = tuple(
        Driver(n, round(e, 3))
        for n, e in sorted(effects.items(), key=lambda kv: -abs(kv[1]))
        if abs(e) >= 0.005
    )[:3]
    return Estimate(
        stars=round(stars, 2),
        low=round(_clip(stars - Z80 * sd), 2),
        high=round(_clip(stars + Z80 * sd), 2),
        band=_band(stars),
        drivers=drivers,
        source=source,
        samples=model.samples if model else samples,
        label=label,
    )


def _matrix(rows: Sequence[Features]) -> np.ndarray:
    index = {n: i for i, n in enumerate(FEATURE_NAMES)}
    x = np.zeros((len(rows), len(FEATURE_NAMES)), dtype=np.float64)
    for r, f in enumerate(rows):
        for n in f.names():
            x[r, index[n]] = 1.0
    return x


def fit_engagement(samples: Sequence[tuple[Features, float]]) -> EngagementModel | None:
    """Ridge regression of stars on the features; None below MIN_SAMPLES observations.

    The weights shrink toward the prior's effects (not toward zero), so a small team's
    fit moves away from the rules only as far as its own ratings say.
    """
    if len(samples) < MIN_SAMPLES:
        return None
    x = _matrix([f for f, _ in samples])
    y = np.asarray([s for _, s in samples], dtype=np.float64)
    prior = np.asarray([PRIOR_EFFECTS[n] for n in FEATURE_NAMES])
    intercept = float(np.mean(y - x @ prior))
    # Solve (X'X + λI) w = X'(y - b) + λ prior: ridge centred on the prior.
    lhs = x.T @ x + RIDGE * np.eye(len(FEATURE_NAMES))
    w = np.linalg.solve(lhs, x.T @ (y - intercept) + RIDGE * prior)
    intercept = float(np.mean(y - x @ w))
    resid = y - (intercept + x @ w)
    dof = max(1, len(y) - 6)
    # Residuals of a small fit understate its error on new posts: widen by sqrt(1 + 12 / n).
    sd = max(0.3, math.sqrt(float(resid @ resid) / dof) * math.sqrt(1 + 12 / len(y)))
    return EngagementModel(
        intercept=intercept,
        weights={n: float(v) for n, v in zip(FEATURE_NAMES, w, strict=True)},
        residual_sd=sd,
        samples=len(samples),
    )


def samples_from_store(store: Any, *, fold_chars: int = 210) -> list[tuple[Features, float]]:
    """The team's observations: every star rating of a version, and every export as EXPORT_STARS."""
    rows = store.query(
        "SELECT r.stars AS stars, v.text AS text, v.data_json AS data FROM ratings r"
        " JOIN versions v ON v.id = r.version_id WHERE r.stars IS NOT NULL ORDER BY r.id"
    )
    rows += [
        {**r, "stars": EXPORT_STARS}
        for r in store.query(
            "SELECT v.text AS text, v.data_json AS data FROM agent_rewards a"
            " JOIN versions v ON v.id = a.version_id WHERE a.event = 'export' ORDER BY a.id"
        )
    ]
    return [
        (features_of(r["text"] or "", hook=_hook_of(r["data"]), fold_chars=fold_chars), float(r["stars"]))
        for r in rows
    ]


def _hook_of(data_json: str | None) -> str | None:
    try:
        strategy = json.loads(data_json or "{}").get("strategy") or {}
    except (ValueError, AttributeError):
        return None
    return strategy.get("hook") if isinstance(strategy, dict) else None


_CACHE: dict[tuple[int, int], EngagementModel | None] = {}


def estimate_for_store(store: Any, text: str, *, hook: str | None = None, fold_chars: int = 210) -> Estimate:
    """The estimate for `text` with the model fitted on `store`'s observations (refitted when they change)."""
    samples = samples_from_store(store, fold_chars=fold_chars)
    key = (id(store), len(samples))
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = fit_engagement(samples)
    return estimate(features_of(text, hook=hook, fold_chars=fold_chars), _CACHE[key], samples=len(samples))
