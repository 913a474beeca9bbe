"""Text helpers the guard shares: sentence spans, tokens, stopwords, negations.

Pure functions over strings; no models, no I/O. Sentence splitting is a small
regex splitter tuned for posts, READMEs and news text (lower-case text too); a
Markdown list item or table row starts a new sentence. It does not try to be a
full linguistic segmenter.
"""

from __future__ import annotations

import re

__all__ = [
    "sentence_spans",
    "split_sentences",
    "tokens",
    "content_tokens",
    "bigrams",
    "negation_count",
    "STOPWORDS",
    "NEGATIONS",
    "MAX_SENTENCE_CHARS",
]

MAX_SENTENCE_CHARS = 400

_ABBREV = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "inc",
    "ltd",
    "jr",
    "sr",
    "no",
    "fig",
    "u.s",
    "u.k",
}
_BOUNDARY = re.compile(
    r"(?<=[.!?…])[\"')\]]*[^\w\s]{0,3}\s+|\n\s*\n|\n(?=\s*(?:[-*•#|]|\d+[.)]\s))|\n(?=[A-Z][\w ]{0,30}:)"
)
_WORD = re.compile(r"[a-z0-9]+(?:[.'’-][a-z0-9]+)*", re.I)

STOPWORDS = frozenset(
    """a an the and or but if then than that this these those there here of to in on at by for with from
    as is are was were be been being am it its it's into over under about after before between through
    during while up down out off again further once so such too very can could will would shall should
    may might must do does did doing have has had having i me my we our ours you your yours he him his
    she her hers they them their theirs what which who whom whose when where why how all any both each
    few more most other some own same only just also not no nor now s t don said says say also well
    uh um yeah oh okay ok like""".split()
)
NEGATIONS = frozenset(
    """not no never none nothing nobody neither nor cannot can't won't don't doesn't didn't isn't aren't
    wasn't weren't hasn't haven't hadn't shouldn't wouldn't couldn't without fails failed unable
    denied denies refused refuses""".split()
)


def sentence_spans(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """Character spans (start, end) of the sentences of `text`, stripped, long ones cut at clauses."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        piece_end = m.start()
        before = text[pos:piece_end]
        word = re.search(r"([\w.]+)\.?[\"')\]]*$", before.rstrip())
        if word and text[m.start() - 1 : m.start()] == "." and word.group(1).lower().rstrip(".") in _ABBREV:
            continue
        if word and re.fullmatch(r"[A-Za-z]", word.group(1).rstrip(".")) and "\n" not in m.group(0):
            continue  # an initial such as "J. Smith"
        if text.count("`", pos, m.start()) % 2 == 1:
            continue  # inside inline code such as `push(job, run_at=...)`
        _add_span(text, pos, m.end() if text[m.start() : m.end()].strip() else m.start(), spans, max_chars)
        pos = m.end()
    _add_span(text, pos, len(text), spans, max_chars)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]], max_chars: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return
    while end - start > max_chars:
        cut = _clause_cut(text, start, start + max_chars)
        spans.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))


def _clause_cut(text: str, start: int, limit: int) -> int:
    window = text[start:limit]
    for pattern in (r"[;:]\s", r",\s", r"\s(?:and|but|which|while|because)\s", r"\s"):
        hits = [m.end() for m in re.finditer(pattern, window) if m.end() > len(window) // 3]
        if hits:
            return start + hits[-1]
    return limit


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` as strings (see `sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def tokens(text: str) -> list[str]:
    """Lower-case word tokens, keeping dotted versions and contractions whole."""
    return [t.lower().replace("’", "'") for t in _WORD.findall(text)]


def content_tokens(text: str) -> list[str]:
    """Tokens minus stopwords and one-letter words."""
    return [t for t in tokens(text) if t not in STOPWORDS and len(t) > 1]


def bigrams(toks: list[str]) -> set[tuple[str, str]]:
    """Adjacent token pairs."""
    return set(zip(toks, toks[1:], strict=False))


def negation_count(toks: list[str]) -> int:
    """How many negation words a token list holds (also counts n't endings)."""
    return sum(1 for t in toks if t in NEGATIONS or t.endswith("n't"))
