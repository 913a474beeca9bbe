"""Bad input never crashes moderation, and hidden characters are normalised before scoring."""

from __future__ import annotations

import pytest

from core.moderation import moderate, moderate_batch, normalise_text, unleet
from core.moderation.normalise import MAX_CHARS, split_sentences


def test_empty_and_none_like_text_is_approved(settings) -> None:
    for text in ["", "   ", "\n\n"]:
        result = moderate(text, settings)
        assert result.level == "approved"
        assert set(result.scores) >= {"toxicity", "insult", "hate", "threat", "spam", "personal_data"}


def test_one_megabyte_is_capped_and_sent_to_review(settings) -> None:
    text = ("Herald ships a faster index. " * 40_000)[:1_000_000]
    result = moderate(text, settings)
    assert result.level in ("review_required", "rejected")
    assert "too_long" in result.reason_codes()
    assert any("characters were scored" in n for n in result.notes)


def test_zero_width_joiners_and_controls_cannot_hide_words(settings) -> None:
    hidden = "You are a s\u200bt\u200du\u2060p\u00adi\x07d i\u200bd\u200ci\ufeffo\x1bt"
    assert normalise_text(hidden).text == "You are a stupid idiot"
    plain = moderate("You are a stupid idiot", settings)
    tricked = moderate(hidden, settings)
    assert tricked.level == plain.level != "approved"
    assert tricked.scores["insult"] == pytest.approx(plain.scores["insult"])
    assert any("hidden or control" in n for n in tricked.notes)


def test_leetspeak_is_mapped_back(settings) -> None:
    assert unleet("y0u 5tup1d 1d10t") == "you stupid idiot"
    assert unleet("f u c k") == "fuck"
    assert unleet("Herald 2.0 ships in 2024") == "Herald 2.0 ships in 2024"
    assert moderate("y0u 5tup1d 1d10t", settings).level != "approved"


def test_emoji_only_text_is_approved_with_a_note(settings) -> None:
    result = moderate("🎉🚀🔥👏", settings)
    assert result.level == "approved"
    assert any("emoji only" in n for n in result.notes)


def test_html_and_script_tags_are_stripped_but_their_words_scored(settings) -> None:
    text = "<p>Great release</p><script>alert('you stupid idiot')</script><!-- hidden -->"
    norm = normalise_text(text)
    assert "<" not in norm.text and "stupid idiot" in norm.text
    assert norm.tags_removed >= 4
    assert moderate(text, settings).level != "approved"


def test_odd_inputs_do_not_crash(settings) -> None:
    odd = [
        "\x00\x01\x02",
        "\ud800" if False else "\U0010ffff",
        "a" * 5000,
        "&lt;b&gt;hi&lt;/b&gt;",
        "<" * 100,
        "…" * 50,
    ]
    results = moderate_batch(odd, settings)
    assert len(results) == len(odd)
    assert all(r.level in ("approved", "flagged", "review_required", "rejected") for r in results)


def test_long_sentences_are_split_into_pieces() -> None:
    pieces = split_sentences("word " * 1000)
    assert all(len(p) <= 600 for p in pieces) and len(pieces) > 5
    assert len(normalise_text("x" * (MAX_CHARS + 10)).text) == MAX_CHARS
