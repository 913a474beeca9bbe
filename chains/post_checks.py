"""Output checks a finished LinkedIn post must pass before anyone would publish it.

`post_problems(text, card)` lists what is wrong with a post (empty when it
passes): Markdown or HTML that LinkedIn would show literally, junk or too few
or too many hashtags, a post that never names its project, boilerplate
(contributing, support, licence terms), prompt-injection text, opening or
paragraph fragments, no closing question or call to action, more than one URL.
Used by `bench/posts.py` and the tests; it scores nothing (`chains.quality`).
"""

from __future__ import annotations

import re

from chains.hashtags import is_clean_tag
from rag.injection import looks_like_instruction
from rag.sections import boilerplate_text

__all__ = ["post_problems", "MIN_CHARS", "MAX_CHARS"]

MIN_CHARS = 200
MAX_CHARS = 3000
_MARKUP = (
    (re.compile(r"\[[^\]\n]+\]\([^)\s]*\)"), "a Markdown link"),
    (re.compile(r"`"), "code ticks"),
    (re.compile(r"\*\*|__\w"), "Markdown bold"),
    (re.compile(r"^\s{0,3}#{1,6}\s", re.M), "a Markdown heading"),
    (re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^>]*)?>"), "an HTML tag"),
    (re.compile(r"&[a-zA-Z]+;|&#\d+;"), "an HTML entity"),
    (re.compile(r"^\s*[-*+]\s", re.M), "a Markdown bullet"),
)
_URL = re.compile(r"https?://\S+")
_CLOSING = re.compile(r"\?|\b(try it|give it a|tell me|share|comment|let me know|check it out)\b", re.I)


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def post_problems(text: str, card=None) -> tuple[str, ...]:
    """Why `text` (body plus its hashtag line) is not ready to publish; () when it is."""
    problems: list[str] = []
    lines = text.strip().splitlines()
    tag_line = lines[-1].strip() if lines and lines[-1].strip().startswith("#") else ""
    body = "\n".join(lines[:-1]).strip() if tag_line else text.strip()
    if not MIN_CHARS <= len(text) <= MAX_CHARS:
        problems.append(f"length {len(text)} outside {MIN_CHARS}-{MAX_CHARS} characters")
    for pattern, what in _MARKUP:
        if pattern.search(body):
            problems.append(f"contains {what}")
    tags = tag_line.split()
    if not 3 <= len(tags) <= 5:
        problems.append(f"{len(tags)} hashtags (3-5 wanted)")
    name_tag = ""
    if card is not None:
        name_tag = "#" + "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", card.name.value))
    junk = [t for t in tags if not (is_clean_tag(t) or t.lower() == name_tag.lower())]
    if junk:
        problems.append(f"junk hashtags: {' '.join(junk)}")
    if card is not None:
        head = " ".join(_paragraphs(body)[:3]).lower()
        words = [w for w in re.findall(r"[a-z0-9]+", card.name.value.lower()) if w not in ("the", "a", "an")]
        if card.name.value.lower() not in head and not (words and len(words[0]) >= 3 and words[0] in head):
            problems.append(f"does not name {card.name.value} in its opening")
    urls = _URL.findall(body)
    if len(urls) > 1:
        problems.append(f"{len(urls)} URLs (at most the project's own, once)")
    sentences = re.split(r"(?<=[.!?])\s+|\n", body)
    if any(boilerplate_text(s) for s in sentences):
        problems.append("contains boilerplate (contributing, support or licence text)")
    if any(looks_like_instruction(s) for s in sentences):
        problems.append("contains an instruction aimed at a model")
    paragraphs = _paragraphs(body)
    if paragraphs:
        first = paragraphs[0].splitlines()[0].strip()
        if not re.search(r"[.!?:]$", first) or not (first[:1].isupper() or first[:1].isdigit() or
                                                      (card is not None and first.startswith(card.name.value))):  # fmt: skip
            problems.append(f"opening is a fragment: {first[:60]!r}")
        for p in paragraphs[1:-1]:
            head = p.splitlines()[0].strip()
            if not re.search(r"[.!?:]$", head) and not re.match(r"^(•|\d+\.)\s|^[A-Z][\w' -]{1,30}:\s", head):
                problems.append(f"paragraph is a fragment: {head[:60]!r}")
                break
        if not _CLOSING.search(paragraphs[-1]):
            problems.append("no closing question or call to action")
    else:
        problems.append("empty post")
    return tuple(problems)
