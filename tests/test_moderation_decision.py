"""Decision boundaries: each level starts exactly at its threshold; the guard joins the decision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.errors import InvalidInputError
from core.moderation import LEVELS, load_thresholds, moderate, moderate_batch
from core.moderation.decision import THRESHOLDS_PATH, level_for
from utils.settings import load_settings

TABLE = {
    "toxicity": {"flagged": 0.3, "review_required": 0.6, "rejected": 0.9},
    "threat": {"flagged": 0.5, "review_required": 0.9, "rejected": 0.95},
    "personal_data": {"flagged": 0.5, "review_required": 0.85, "rejected": None},
}


@pytest.fixture
def custom(tmp_path: Path):
    path = tmp_path / "thresholds.json"
    path.write_text(json.dumps({"thresholds": TABLE}))
    return load_settings({"HERALD_MODERATION_THRESHOLDS": str(path)})


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0.0, "approved"),
        (0.2999, "approved"),
        (0.3, "flagged"),
        (0.5999, "flagged"),
        (0.6, "review_required"),
        (0.8999, "review_required"),
        (0.9, "rejected"),
        (1.0, "rejected"),
    ],
)
def test_each_level_starts_at_its_threshold(custom, score: float, level: str) -> None:
    assert load_thresholds(custom).level_of("toxicity", score) == level


def test_a_null_threshold_is_never_reached(custom) -> None:
    assert load_thresholds(custom).level_of("personal_data", 1.0) == "review_required"
    assert load_thresholds(custom).level_of("unknown_category", 1.0) == "approved"


def test_the_text_takes_the_most_severe_category(custom) -> None:
    thresholds = load_thresholds(custom)
    assert level_for({"toxicity": 0.31, "threat": 0.91}, thresholds) == "review_required"
    assert level_for({"toxicity": 0.1, "threat": 0.1}, thresholds) == "approved"


def test_rules_scores_meet_the_configured_levels(custom) -> None:
    # rules give a strong threat 0.95 (rejected here), an email 0.9 (review_required), a weak threat 0.6 (flagged)
    results = moderate_batch(
        ["I will kill you.", "Write to jane.doe@corp.com", "They want to hurt him.", "A calm sentence."],
        custom,
        backends=["rules"],
    )
    assert [r.level for r in results] == ["rejected", "review_required", "flagged", "approved"]
    reason = results[1].reasons[0]
    assert (reason.category, reason.backend, reason.sentence) == (
        "personal_data",
        "rules",
        "Write to jane.doe@corp.com",
    )
    assert results[0].backends_ran == ("rules",)


@dataclass(frozen=True)
class Claim:
    text: str
    verdict: str


@dataclass(frozen=True)
class Report:
    claims: tuple[Claim, ...]


@pytest.mark.parametrize(
    ("unsupported", "total", "level"),
    [(0, 3, "approved"), (1, 3, "approved"), (2, 3, "review_required"), (3, 3, "review_required")],
)
def test_guard_share_above_setting_requires_review(unsupported: int, total: int, level: str) -> None:
    settings = load_settings({"HERALD_GUARD_REVIEW_SHARE": "0.34"})
    claims = tuple(
        Claim(f"claim {i}", "unsupported" if i < unsupported else "supported") for i in range(total)
    )
    result = moderate("Herald indexes projects quickly.", settings, guard=Report(claims))
    assert result.level == level
    assert ("unsupported_claims" in result.reason_codes()) == (level == "review_required")


def test_guard_cannot_lower_a_rejection(custom) -> None:
    result = moderate_batch(["I will kill you."], custom, backends=["rules"], guards=[Report(())])[0]
    assert result.level == "rejected"


def test_shipped_thresholds_cover_every_level_and_category() -> None:
    raw = json.loads(THRESHOLDS_PATH.read_text())
    for category in ("toxicity", "insult", "hate", "threat", "spam", "personal_data"):
        assert set(raw["thresholds"][category]) == set(LEVELS[1:])
    assert raw["cv"]["auc_clean_vs_harmful"] > 0.85


def test_a_broken_thresholds_file_names_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        load_thresholds(load_settings({"HERALD_MODERATION_THRESHOLDS": str(bad)}))
    with pytest.raises(InvalidInputError, match="HERALD_MODERATION_THRESHOLDS"):
        load_thresholds(load_settings({"HERALD_MODERATION_THRESHOLDS": str(tmp_path / "missing.json")}))


def test_default_settings_decide_sensible_levels(settings) -> None:
    results = moderate_batch(
        [
            "Herald 2.1 builds the index twice as fast and keeps every version.",
            "You are a stupid f*cking idiot.",
            "Call me on +44 7700 900123 for a FREE prize, text WIN to 80086 now!",
        ],
        settings,
    )
    assert results[0].level == "approved", results[0]
    assert results[1].level in ("review_required", "rejected")
    assert results[2].level in ("review_required", "rejected")
    assert "detoxify: no checkpoint" in " ".join(results[0].fallbacks)
    assert all(0.0 <= v <= 1.0 for r in results for v in r.scores.values())
