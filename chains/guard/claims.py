"""Claim extraction: split a draft into sentences and decide which can be checked.

Each `ClaimSpan` keeps character offsets into the draft (for highlighting), the
cleaned text to check (emoji, bullets and trailing hashtags removed), whether it
is checkable and, if not, why: a question, a call to action, an opinion,
hashtags, too short to state a fact, or written in another language. It does
not look at the project; verification is `verify.py`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chains.guard.specifics import extract_specifics
from chains.guard.textutil import MAX_SENTENCE_CHARS, STOPWORDS, content_tokens, sentence_spans, tokens

__all__ = ["ClaimSpan", "extract_claims", "detect_foreign"]

_CTA_START = re.compile(
    r"^(?:try|check|star|follow|join|share|read|learn|get started|give|let me know|let us know|comment|drop|"
    r"visit|click|subscribe|sign up|see|tell|head over|grab|reach out|don't forget|feel free|what do you think|"
    r"thoughts|link in|find|contribute|explore|take a look)\b",
    re.I,
)
_CTA_ANY = re.compile(r"link in (?:the )?(?:comments?|bio)|👇|let me know|dm me|what would you", re.I)
_OPINION = re.compile(
    r"^(?:i|we)(?:'m| am| are|'re)? (?:think|believe|love|feel|am excited|are excited|excited|thrilled|proud|can't wait|hope)\b|"
    r"^(?:excited|thrilled|proud|happy|honou?red) to\b|\b(?:in my opinion|imho|i think|i believe|game[- ]changer|"
    r"love this|so cool|amazing|awesome)\b",
    re.I,
)
_LEAD = re.compile(r"^[\s\-*•>#\d.)]*[^\w\s\"'`(\[@]*\s*", re.U)
_TRAIL_TAGS = re.compile(r"(?:\s*#\w+)+\s*$")
_FOREIGN = {
    "fr": {
        "le",
        "la",
        "les",
        "des",
        "est",
        "une",
        "et",
        "pour",
        "avec",
        "dans",
        "sur",
        "pas",
        "qui",
        "nous",
        "vous",
    },
    "de": {
        "der",
        "die",
        "das",
        "und",
        "ist",
        "nicht",
        "mit",
        "für",
        "ein",
        "eine",
        "auf",
        "wir",
        "sie",
        "auch",
    },
    "es": {"el", "los", "las", "que", "es", "una", "y", "para", "con", "por", "del", "su", "como", "más"},
    "pt": {"os", "as", "que", "uma", "para", "com", "não", "é", "do", "da", "em", "mais"},
    "it": {"il", "gli", "che", "è", "una", "per", "con", "non", "del", "della", "sono"},
}


@dataclass(frozen=True)
class ClaimSpan:
    """A sentence of the draft: offsets, the text to check, and whether/why it is checkable."""

    text: str  # exactly draft[start:end]
    start: int
    end: int
    check_text: str
    checkable: bool
    kind: str  # fact | question | cta | opinion | hashtags | short | foreign
    reason: str = ""


def detect_foreign(text: str) -> str:
    """A language code when `text` reads as non-English (fr, de, es, pt, it, non-latin), else ""."""
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 12 and sum(1 for c in letters if ord(c) > 0x24F) / len(letters) > 0.5:
        return "non-latin"
    toks = re.findall(r"[^\W\d_]+", text.lower())
    if len(toks) < 5:
        return ""
    english = sum(1 for t in toks if t in STOPWORDS)
    best, hits = "", 0
    for lang, words in _FOREIGN.items():
        n = sum(1 for t in toks if t in words)
        if n > hits:
            best, hits = lang, n
    return best if hits >= 2 and hits > english else ""


def _classify(check: str) -> tuple[bool, str, str]:
    specifics = extract_specifics(check)
    hard = [s for s in specifics if s.kind in ("url", "handle", "version", "file", "package")]
    if not check or not re.search(r"\w", check):
        return False, "hashtags", "only hashtags, emoji or punctuation"
    lang = detect_foreign(check)
    if lang:
        return (
            False,
            "foreign",
            (
                f"written in another language ({lang}); the checker reads English only, so a person must confirm it"
            ),
        )
    if check.rstrip().endswith("?") and not hard:
        return False, "question", "a question, not a statement"
    if (_CTA_START.search(check) or _CTA_ANY.search(check)) and not hard:
        return False, "cta", "a call to action"
    if _OPINION.search(check) and not specifics:
        return False, "opinion", "an opinion or feeling, not a fact about the project"
    if len(content_tokens(check)) < 3 and not specifics:
        return False, "short", "too short to state a fact"
    return True, "fact", ""


def extract_claims(draft: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[ClaimSpan]:
    """Split a draft into claim spans with offsets; long sentences are cut at clause boundaries."""
    out: list[ClaimSpan] = []
    for start, end in sentence_spans(draft or "", max_chars=max_chars):
        raw = draft[start:end]
        check = _TRAIL_TAGS.sub("", _LEAD.sub("", raw)).strip()
        if raw.lstrip().startswith("#") and not _TRAIL_TAGS.sub("", raw).strip():
            check = ""
        checkable, kind, reason = _classify(check)
        if checkable and not tokens(check):
            checkable, kind, reason = False, "short", "too short to state a fact"
        out.append(ClaimSpan(raw, start, end, check, checkable, kind, reason))
    return out
