"""Text normalisation before moderation: what a reader sees, not what hides it.

`normalise_text` applies NFKC, unescapes HTML entities, strips HTML and script
tags (keeping their inner text, so nothing inside a tag escapes scoring),
removes zero-width joiners, soft hyphens and control characters, and caps the
length. `unleet` maps leetspeak and spaced-out letters back to words for the
toxicity backends. `split_sentences` cuts text into sentences and
`split_units` groups consecutive sentences into the units that are scored.
It does not score anything and never raises on any string.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "MAX_CHARS",
    "MAX_SENTENCE_CHARS",
    "NormalisedText",
    "normalise_text",
    "unleet",
    "split_sentences",
    "split_units",
    "UNIT_CHARS",
    "has_letters",
]

MAX_CHARS = 50_000  # about 17 LinkedIn posts; longer text goes to a reviewer
MAX_SENTENCE_CHARS = 600
UNIT_CHARS = 300  # about a tweet: short texts are scored whole, long posts a few sentences at a time
_HIDDEN = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f\u115f\u1160\u3164"),
    None,
)
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,2000}?>|<!--.*?-->", re.S)
_SPACES = re.compile(r"[ \t\f\v]+")
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "l",
        "+": "t",
    }
)
_LEET_WORD = re.compile(
    r"(?<![\w@$!|+])(?=[\w@$!|+]*[a-zA-Z])(?=[\w@$!|+]*[013457@$!|+][\w@$!|+]*[a-zA-Z]|[a-zA-Z][\w@$!|+]*[013457@$!|+])[\w@$!|+]+"
)
_SPACED = re.compile(r"\b(?:[a-zA-Z][ .\-_*]){2,}[a-zA-Z]\b")
_MASKED = re.compile(r"\b([a-zA-Z])[*#]{1,3}([a-zA-Z]{1,6})\b")
_REPEATS = re.compile(r"([a-zA-Z])\1{2,}")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class NormalisedText:
    """Text as scored: `text` (clean), plus what normalisation found and removed."""

    text: str
    original_chars: int
    hidden_removed: int
    tags_removed: int
    truncated: bool
    emoji_only: bool


def _strip_controls(text: str) -> tuple[str, int]:
    before = len(text)
    text = text.translate(_HIDDEN)
    if text.replace("\n", "").replace("\t", "").replace("\u3000", " ").isprintable():
        return text, before - len(text)  # fast path: no control or format characters
    kept = []
    for ch in text:
        if ch in "\n\t":
            kept.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn") and not _is_emoji_joiner(ch):
            continue
        kept.append(ch)
    out = "".join(kept)
    return out, before - len(out)


def _is_emoji_joiner(ch: str) -> bool:
    # Variation selectors and tags are part of emoji sequences, not hiding tricks.
    return "\ufe00" <= ch <= "\ufe0f" or "\U000e0020" <= ch <= "\U000e007f"


def has_letters(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or symbols)."""
    return any(ch.isalnum() for ch in text)


def normalise_text(text: object, max_chars: int = MAX_CHARS) -> NormalisedText:
    """Normalise any input into the text that is scored; never raises.

    Example: normalise_text("id\u200biot").text == "idiot"
    """
    raw = "" if text is None else str(text)
    original = len(raw)
    truncated = original > max_chars * 2
    raw = raw[: max_chars * 2]  # bound the work before the character loop
    raw = unicodedata.normalize("NFKC", raw)
    raw, hidden = _strip_controls(raw)
    raw = html.unescape(raw)
    raw, tags = _TAG.subn(" ", raw)
    raw = html.unescape(raw)
    raw, hidden2 = _strip_controls(raw)
    lines = [_SPACES.sub(" ", ln).strip() for ln in raw.splitlines()]
    clean = "\n".join(ln for ln in lines if ln)
    if len(clean) > max_chars:
        clean, truncated = clean[:max_chars], True
    emoji_only = bool(clean.strip()) and not has_letters(clean)
    return NormalisedText(
        text=clean,
        original_chars=original,
        hidden_removed=hidden + hidden2,
        tags_removed=tags,
        truncated=truncated,
        emoji_only=emoji_only,
    )


def unleet(text: str) -> str:
    """Map leetspeak, masked and spaced-out letters back to plain words.

    Example: unleet("y0u 1d10t, f u c k") == "you idiot, fuck"
    """
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)
    text = _MASKED.sub(lambda m: m.group(1) + "u" + m.group(2) if len(m.group(2)) <= 3 else m.group(0), text)
    text = _LEET_WORD.sub(_unleet_word, text)
    return _REPEATS.sub(r"\1\1", text)


def _unleet_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word[0] == "@" and len(word) > 4:  # an @mention, not "@ss"
        return word
    return word.translate(_LEET)


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Cut normalised text into sentences (long ones into pieces); [] for empty text."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        while len(part) > max_chars:
            cut = part.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if part:
            out.append(part)
    return out


def split_units(text: str, max_chars: int = UNIT_CHARS) -> list[str]:
    """Consecutive sentences grouped into units of at most `max_chars` (a longer sentence stays alone).

    Example: split_units("Hi. Bye.") == ["Hi. Bye."]
    """
    units: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        if current and len(current) + 1 + len(sentence) > max_chars:
            units.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        units.append(current)
    return units
