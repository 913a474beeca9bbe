"""From scores to a level: thresholds per category and level, and the stacker.

Levels, mildest first: approved < flagged < review_required < rejected. A
category reaches a level when its score is at or above that level's threshold
(a missing or null threshold means the category never reaches that level);
the text's level is the highest any category reaches. Thresholds come from
`thresholds.json` (written by scripts/calibrate_moderation.py with
cross-validation on toxicity_dev.jsonl) or from the file that
`HERALD_MODERATION_THRESHOLDS` names. The stacker (`stacker.json`, same
script) turns the profanity, hatesonar and abuse outputs of a sentence into
calibrated `toxicity` and `hate` probabilities. This module never scores text.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import InvalidInputError
from utils.settings import Settings

__all__ = [
    "LEVELS",
    "CATEGORIES",
    "THRESHOLDS_PATH",
    "STACKER_PATH",
    "Thresholds",
    "Stacker",
    "load_thresholds",
    "load_stacker",
    "level_for",
    "max_level",
    "guard_unsupported_share",
]

LEVELS = ("approved", "flagged", "review_required", "rejected")
CATEGORIES = ("toxicity", "insult", "hate", "threat", "spam", "personal_data", "link", "shouting")
THRESHOLDS_PATH = Path(__file__).parent / "thresholds.json"
STACKER_PATH = Path(__file__).parent / "stacker.json"
UNSUPPORTED_VERDICTS = ("unsupported", "contradicted", "refuted")
NOT_CHECKED_VERDICTS = ("not_checkable", "not_checked", "skipped")
_CACHE: dict[tuple[str, float], Any] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Thresholds:
    """Per category, the score at which each level starts (None: never)."""

    by_category: Mapping[str, Mapping[str, float | None]]
    source: str

    def level_of(self, category: str, score: float) -> str:
        """The highest level this category's score reaches."""
        levels = self.by_category.get(category, {})
        reached = "approved"
        for level in LEVELS[1:]:
            cut = levels.get(level)
            if cut is not None and score >= cut:
                reached = level
        return reached


@dataclass(frozen=True)
class Stacker:
    """Logistic models over sentence features (log-odds of backend outputs)."""

    features: tuple[str, ...]
    models: Mapping[str, Mapping[str, Any]]  # target -> {"coef": [...], "intercept": x}

    def predict(self, rows: list[Mapping[str, float]]) -> dict[str, list[float]]:
        """Calibrated probabilities per target (e.g. toxicity, hate) for each feature row."""
        out: dict[str, list[float]] = {}
        for target, model in self.models.items():
            coef, intercept = model["coef"], float(model["intercept"])
            values = []
            for row in rows:
                z = intercept + sum(
                    c * logit(row.get(f, 0.0)) for c, f in zip(coef, self.features, strict=True)
                )
                values.append(1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z)))))
            out[target] = values
        return out


def logit(p: float, eps: float = 1e-4) -> float:
    """Log-odds of a probability clipped to [eps, 1 - eps]."""
    p = min(1.0 - eps, max(eps, float(p)))
    return math.log(p / (1.0 - p))


def _read_json(path: Path, what: str) -> Any:
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError as exc:
        raise InvalidInputError(
            f"Cannot read the moderation {what} file {path} ({exc}); fix HERALD_MODERATION_THRESHOLDS "
            "or run scripts/calibrate_moderation.py"
        ) from exc
    with _LOCK:
        if key not in _CACHE:
            try:
                _CACHE[key] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise InvalidInputError(
                    f"The moderation {what} file {path} is not valid JSON ({exc}); fix or remove it"
                ) from exc
        return _CACHE[key]


def load_thresholds(settings: Settings | None = None) -> Thresholds:
    """Thresholds from `settings.moderation_thresholds_path`, else the calibrated file shipped here."""
    path = (
        Path(settings.moderation_thresholds_path)
        if settings and settings.moderation_thresholds_path
        else THRESHOLDS_PATH
    )
    raw = _read_json(path, "thresholds")
    table = raw.get("thresholds", raw) if isinstance(raw, dict) else None
    if not isinstance(table, dict):
        raise InvalidInputError(
            f"{path} must hold {{category: {{level: threshold}}}}; see docs/readme/moderation.md"
        )
    clean: dict[str, dict[str, float | None]] = {}
    for category, levels in table.items():
        if not isinstance(levels, dict) or set(levels) - set(LEVELS[1:]):
            raise InvalidInputError(f"{path}: category {category!r} needs levels among {LEVELS[1:]}")
        clean[category] = {k: (None if v is None else float(v)) for k, v in levels.items()}
    return Thresholds(by_category=clean, source=str(path))


def load_stacker(path: Path = STACKER_PATH) -> Stacker | None:
    """The stacker written by the calibration script, or None when it is missing."""
    if not path.exists():
        return None
    raw = _read_json(path, "stacker")
    return Stacker(features=tuple(raw["features"]), models=raw["models"])


def level_for(scores: Mapping[str, float], thresholds: Thresholds) -> str:
    """The level a dict of category scores reaches."""
    return max_level(*(thresholds.level_of(c, s) for c, s in scores.items()))


def max_level(*levels: str) -> str:
    """The most severe of some levels ("approved" when none)."""
    return max(levels, key=LEVELS.index, default="approved")


def guard_unsupported_share(guard: Any) -> tuple[float, str]:
    """(share of checked claims found unsupported, first unsupported claim) of a duck-typed GuardReport."""
    claims = list(getattr(guard, "claims", None) or [])
    checked = [c for c in claims if str(getattr(c, "verdict", "")).lower() not in NOT_CHECKED_VERDICTS]
    if not checked:
        return 0.0, ""
    bad = [c for c in checked if str(getattr(c, "verdict", "")).lower() in UNSUPPORTED_VERDICTS]
    first = str(getattr(bad[0], "text", "")) if bad else ""
    return len(bad) / len(checked), first
