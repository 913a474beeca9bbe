"""Contract test over every moderation backend, plus the hatesonar locale fix."""

from __future__ import annotations

import pytest

from core.moderation import ModerationBackend, backend_names, get_backend, register_backend
from core.moderation.backends import (
    DetoxifyBackend,
    load_hatesonar_session,
    load_profanity_weights,
    load_sonar_weights,
)
from utils.settings import load_settings

TEXTS = [
    "Herald 2.1 makes indexing twice as fast.",
    "You are a stupid idiot and everyone hates you.",
    "I will kill you.",
    "WIN A FREE PRIZE!!! Text WIN to 80086 now",
    "",
    "café naïve façade",
]


class FakeBackend(ModerationBackend):
    """A deterministic backend: the share of the letter 'x' in the text."""

    name = "fake"
    categories = ("toxicity",)

    def _score(self, texts: list[str]) -> list[dict[str, float]]:
        return [{"toxicity": t.count("x") / max(1, len(t))} for t in texts]


@pytest.fixture(scope="module")
def mod_settings():
    return load_settings({})


def _all_names() -> list[str]:
    register_backend(FakeBackend)
    return [*backend_names()]


@pytest.mark.parametrize("name", _all_names())
def test_backend_contract(name: str, mod_settings) -> None:
    backend = get_backend(name, mod_settings)
    ok, why = backend.available()
    assert isinstance(ok, bool) and isinstance(why, str)
    if not ok:
        assert why, "an unavailable backend must say why"
        pytest.skip(f"{name} unavailable here: {why}")
    batch = backend.score(TEXTS)
    assert len(batch) == len(TEXTS)
    for row in batch:
        assert set(row) <= set(backend.categories) and row, row
        assert all(0.0 <= v <= 1.0 for v in row.values())
    singles = [backend.score([t])[0] for t in TEXTS]
    for one, many in zip(singles, batch, strict=True):
        assert one == pytest.approx(many, abs=1e-6)
    assert backend.score([]) == []


def test_backends_separate_clean_from_harmful(mod_settings) -> None:
    clean, insult, threat, spam = TEXTS[0], TEXTS[1], TEXTS[2], TEXTS[3]
    assert get_backend("profanity", mod_settings).score([insult])[0]["insult"] > 0.5
    assert get_backend("profanity", mod_settings).score([clean])[0]["insult"] < 0.5
    assert get_backend("rules", mod_settings).score([threat])[0]["threat"] >= 0.9
    assert get_backend("rules", mod_settings).score([clean])[0]["threat"] == 0.0
    assert get_backend("spam", mod_settings).score([spam])[0]["spam"] > 0.5
    assert get_backend("spam", mod_settings).score([clean])[0]["spam"] < 0.5


def test_hatesonar_weights_match_the_locale_fixed_onnx_session() -> None:
    import numpy as np

    session, output = load_hatesonar_session(threads=1)
    texts = [t or " " for t in TEXTS] + ["ÉCOLE Straße", "😀"]
    onnx_probs = session.run([output], {"text": np.asarray(texts, dtype=object)})[0]
    fast = load_sonar_weights().predict_proba(texts)
    assert np.abs(onnx_probs - fast).max() < 1e-5


def test_profanity_weights_match_alt_profanity_check() -> None:
    import numpy as np
    from profanity_check import predict_prob

    texts = [*TEXTS, "ÉCOLE Straße", "😀"]
    assert np.abs(load_profanity_weights().predict_proba(texts) - predict_prob(texts)).max() < 1e-9


def test_detoxify_without_checkpoint_is_a_recorded_fallback(tmp_path) -> None:
    ok, why = DetoxifyBackend(load_settings({})).available()
    assert not ok and "HERALD_DETOXIFY_CHECKPOINT" in why
    missing = DetoxifyBackend(load_settings({"HERALD_DETOXIFY_CHECKPOINT": str(tmp_path / "nope.ckpt")}))
    assert not missing.available()[0] and "not found" in missing.available()[1]


def test_unknown_backend_names_the_choices(mod_settings) -> None:
    from core.moderation import UnknownBackendError

    with pytest.raises(UnknownBackendError, match="choose from"):
        get_backend("nope", mod_settings)


def test_backends_are_cached_per_process(mod_settings) -> None:
    assert get_backend("spam", mod_settings) is get_backend("spam", mod_settings)
