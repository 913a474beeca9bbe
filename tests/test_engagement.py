"""Engagement estimate: features, the labelled prior, the fit on a team's own ratings."""

from __future__ import annotations

import random

import pytest

from core.engagement import (
    MIN_SAMPLES,
    estimate,
    estimate_for_store,
    features_of,
    fit_engagement,
    guess_hook,
)
from core.store import Store
from tests.seed import seed_item

GOOD = (
    "Why does our CI take 40 minutes?\n\n"
    + "We measured every step of the pipeline and found three slow parts. " * 8
    + "\n\nWhat would you cut first?\n\n#devops #ci"
)
BAD = "an update " * 260 + " ".join(f"#tag{i}" for i in range(8))


def test_features_read_from_the_text():
    f = features_of(GOOD)
    assert f.hook == "question" and f.question and f.hashtags == 2 and f.hook_above_fold
    assert 400 <= f.chars < 1300
    g = features_of(BAD)
    assert g.hashtags == 8 and not g.question and g.chars > 2000 and not g.hook_above_fold
    assert features_of(GOOD, hook="story").hook == "story"  # the strategy's hook wins when known


@pytest.mark.parametrize(
    ("line", "hook"),
    [
        ("Why is CI slow?", "question"),
        ("3 bugs, 40% faster", "statistic"),
        ("We shipped it", "story"),
        ("Stop writing mocks", "contrarian"),
        ("Herald is out", "bold_claim"),
        ("", "none"),
    ],
)
def test_hook_guess(line, hook):
    assert guess_hook(line) == hook


def test_prior_is_labelled_and_ranks_good_above_bad():
    good, bad = estimate(features_of(GOOD), samples=4), estimate(features_of(BAD), samples=4)
    assert good.source == "prior" and "Prior" in good.label and "4 of 30" in good.label
    assert good.stars > bad.stars and good.band == "high" and bad.band == "low"
    assert good.low < good.stars < good.high
    assert bad.drivers[0].feature in ("hashtags=many", "length=very_long", "fold=hook_cut")
    assert bad.drivers[0].effect < 0


def test_fit_needs_enough_samples_and_learns_the_teams_taste():
    rng = random.Random(0)
    # This team dislikes questions in the hook and likes statistics, against the prior.
    texts = {
        "question": "Why is it slow?\n\n" + "x " * 300,
        "statistic": "40% faster builds\n\n" + "x " * 300,
    }
    samples = [
        (features_of(texts[h]), min(5.0, max(1.0, (2.0 if h == "question" else 4.5) + rng.gauss(0, 0.3))))
        for h in ("question", "statistic") * 40
    ]
    assert fit_engagement(samples[: MIN_SAMPLES - 1]) is None
    model = fit_engagement(samples)
    assert model is not None and model.samples == 80
    q = estimate(features_of(texts["question"]), model)
    s = estimate(features_of(texts["statistic"]), model)
    assert q.source == s.source == "fitted" and "80" in q.label
    assert s.stars - q.stars > 1.5
    assert any(d.feature == "hook=question" and d.effect < 0 for d in q.drivers)


def test_estimate_for_store_switches_from_prior_to_fit(tmp_path):
    store = Store.open(tmp_path / "e.db")
    item, v = seed_item(store, GOOD, data={"strategy": {"hook": "question"}})
    assert estimate_for_store(store, GOOD).source == "prior"
    for i in range(MIN_SAMPLES):
        store.add_rating(item.id, version_id=v.id, stars=1 + i % 5)
    est = estimate_for_store(store, GOOD)
    assert est.source == "fitted" and est.samples == MIN_SAMPLES
