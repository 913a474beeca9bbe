"""Prose sentences of retrieved passages, copied verbatim, and the words that matter in them.

Splits Markdown-ish passage text into prose paragraphs and list items (code
blocks, tables, headings, badges skipped), then into sentences; drops
fragments a chunk boundary cut off and sentences that read like instructions
to a model (prompt injection). Used by the template writer and the quality
score. It does not rank or compose anything.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from chains.prompts import looks_like_instruction
from rag.types import Passage

__all__ = ["Sentence", "STOPWORDS", "tokens", "extract_sentences", "key_terms", "guess_project_name"]

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just let me more most my no nor not
    now of off on once only or other our ours out over own same she should so some such than that the
    their them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours use used using uses one two new make
    makes via per etc may might must see get gets set sets like well way also
    """.split()
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*[A-Za-z0-9]|[0-9]+(?:\.[0-9]+)*%?")
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(`*\[])")
# Sentences that lean on the one before them read wrong on their own in a post.
_DEPENDENT_OPENING = re.compile(
    r"^(?:with neither|neither|otherwise|however|but|and|or|also|instead|therefore|thus|then|still|"
    r"besides|moreover|furthermore|in that case|for that|as above|see above|it|this|these|they|its|their)\b",
    re.IGNORECASE,
)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class Sentence:
    """A sentence copied verbatim from one passage, with where it came from."""

    text: str
    passage: int  # index into the passages given
    position: int  # order inside that passage
    kind: str
    is_item: bool = False  # came from a list item


def tokens(text: str) -> list[str]:
    """Lower-cased content words and numbers of `text`, stopwords removed."""
    return [t.lower() for t in _TOKEN.findall(text) if t.lower() not in STOPWORDS and len(t) > 2]


def _paragraphs(text: str) -> list[tuple[str, bool]]:
    """Prose paragraphs and list items of a Markdown-ish text; code, tables and headings skipped."""
    out: list[tuple[str, bool]] = []
    current: list[str] = []
    is_item = False
    in_code = False

    def flush() -> None:
        nonlocal current, is_item
        if current:
            out.append((" ".join(current), is_item))
        current, is_item = [], False

    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            flush()
            continue
        if in_code:
            continue
        if (
            not stripped
            or stripped.startswith(("#", "|", "<", "![", "[![", ">>>", "$ ", "---", "===", "***", "{", "}"))
            or raw.startswith(("    ", "\t"))
        ):
            flush()
            continue
        mark = _LIST_MARK.match(line)
        if mark:
            flush()
            current, is_item = [line[mark.end() :].strip()], True
            continue
        current.append(stripped.lstrip("> ").strip())
    flush()
    return out


def _complete(sentence: str, is_item: bool) -> bool:
    """False for fragments a chunk boundary cut off ("... linked to the (item, version")."""
    if sentence.count("(") != sentence.count(")") or sentence.count("`") % 2 or sentence.count('"') % 2:
        return False
    if sentence[-1] in ".!?":
        return True
    last = re.sub(r"\W+$", "", sentence).rsplit(" ", 1)[-1].lower()
    return is_item and sentence[-1] not in ",;:-(" and last not in STOPWORDS


def _acceptable(sentence: str, is_item: bool = False) -> bool:
    words = sentence.split()
    if not 25 <= len(sentence) <= 280 or len(words) < 4 or not _complete(sentence, is_item):
        return False
    letters = sum(c.isalpha() or c.isspace() for c in sentence)
    if letters / len(sentence) < 0.75 or _DEPENDENT_OPENING.match(sentence):
        return False
    return not looks_like_instruction(sentence)


def extract_sentences(passages: Sequence[Passage]) -> list[Sentence]:
    """Usable prose sentences of the passages, verbatim, deduplicated, injection dropped."""
    seen: set[str] = set()
    out: list[Sentence] = []
    for pi, passage in enumerate(passages):
        position = 0
        for para_index, (para, is_item) in enumerate(_paragraphs(passage.text)):
            pieces = _SENT_SPLIT.split(para)
            for si, piece in enumerate(pieces):
                sentence = piece.strip()
                # A chunk can start mid-sentence: skip a leading lower-case fragment.
                if para_index == 0 and si == 0 and sentence[:1].islower():
                    continue
                key = " ".join(tokens(sentence))
                if not _acceptable(sentence, is_item) or not key or key in seen:
                    continue
                seen.add(key)
                out.append(Sentence(sentence, pi, position, passage.kind, is_item))
                position += 1
    return out


def key_terms(sentences: Sequence[Sentence]) -> Counter[str]:
    """How often each content word occurs across the sentences."""
    counts: Counter[str] = Counter()
    for s in sentences:
        counts.update(t for t in tokens(s.text) if not t[0].isdigit())
    return counts


def guess_project_name(passages: Sequence[Passage]) -> str:
    """The first Markdown H1 of a README passage (else of any passage), or ""."""
    ordered = sorted(passages, key=lambda p: p.kind != "readme")
    for p in ordered:
        for line in p.text.splitlines():
            m = re.match(r"^#\s+([^\n#]{2,60})$", line.strip())
            if m and not looks_like_instruction(m.group(1)):
                name = re.sub(r"[`*_\[\]]|\(.*?\)", "", m.group(1)).strip()
                return " ".join(name.split()[:4])
    return ""
