"""A project read once for the structured checks: its sentences with locations and what it names.

`project_facts(documents)` builds (and caches for the last 32 projects) a `ProjectFacts`: every
sentence with its path, lines and crude word stems, the whole text, and the languages, platforms
and licences it names. It judges no claim (see kinds.py and polarity.py).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from chains.guard.facts.tables import _LANGUAGE_HINTS, LANGUAGES, LICENCES, PLATFORMS
from chains.guard.report import Evidence
from chains.guard.specifics import ProjectText
from chains.guard.textutil import content_tokens


@dataclass(frozen=True)
class _Sentence:
    text: str
    lower: str
    path: str
    start_line: int
    end_line: int
    words: frozenset[str]


class ProjectFacts:
    """A project's sentences with locations, normalised once, and what it names (languages, platforms, licences)."""

    def __init__(self, documents: list[tuple[str, int, str]]):
        from chains.guard.evidence import split_with_lines

        self.sentences: list[_Sentence] = []
        for path, first_line, text in documents:
            for s in split_with_lines(text or "", path, max(1, int(first_line or 1))):
                low = " ".join(s.text.lower().split())
                self.sentences.append(
                    _Sentence(s.text, low, s.path, s.start_line, s.end_line, frozenset(_words(s.text)))
                )
        self.vocab: frozenset[str] = frozenset().union(*(s.words for s in self.sentences))
        whole = "\n".join(t for _, _, t in documents)
        self.whole = " ".join(whole.split())
        self.whole_lower = self.whole.lower()
        self.text = ProjectText(whole, tuple(p for p, _, _ in documents))
        self.languages = {n for n, p in LANGUAGES.items() if _find(p, whole)} | {
            n for n, p in _LANGUAGE_HINTS.items() if re.search(rf"(?<![\w])(?:{p})", whole, re.I)
        }
        self.platforms = {n for n, p in PLATFORMS.items() if _find(p, whole)}
        self.licences = {n for n, p in LICENCES.items() if _find(p, whole)}

    @property
    def empty(self) -> bool:
        """True when the project has no text."""
        return not self.sentences

    def locate(self, needle: str, near: set[str] | None = None, case: bool = False) -> _Sentence | None:
        """The first sentence containing `needle` (preferring one sharing words with `near`), or None."""
        low = " ".join(needle.lower().split())
        if low not in self.whole_lower:  # fast path: most look-ups of a missing name end here
            return None
        pattern = re.compile(rf"(?<![\w-]){re.escape(needle if case else needle.lower())}(?![\w])")
        hits = [
            s
            for s in self.sentences
            if low in s.lower and pattern.search(" ".join(s.text.split()) if case else s.lower)
        ]
        if not hits:
            return None
        if near:
            hits.sort(key=lambda s: -len(near & s.words))
        return hits[0]

    def locate_pattern(self, pattern: str, near: set[str] | None = None) -> _Sentence | None:
        """The first sentence matching a regex (case-insensitive), preferring one sharing words with `near`."""
        rx = re.compile(rf"(?<![\w]){_ci(pattern)}(?![\w])")
        if not rx.search(self.whole):
            return None
        hits = [s for s in self.sentences if rx.search(s.text)]
        if not hits:
            return None
        if near:
            hits.sort(key=lambda s: -len(near & s.words))
        return hits[0]


def _ci(pattern: str) -> str:
    return f"(?i:{pattern})"


def _find(pattern: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){_ci(pattern)}(?![\w])", text) is not None


def _stem(word: str) -> str:
    w = word.rstrip(".")
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w[:6]


def _words(text: str) -> list[str]:
    """Crude stems of a text's content words ("requires" and "required" meet as "requir")."""
    return [_stem(t) for t in content_tokens(text) if not t.replace(".", "").isdigit()]


def _ev(s: _Sentence | None) -> Evidence | None:
    return Evidence(s.text, s.path, s.start_line, s.end_line, 1.0) if s is not None else None


_CACHE: OrderedDict[int, tuple[tuple, ProjectFacts]] = OrderedDict()
_LOCK = threading.Lock()


def project_facts(documents: list[tuple[str, int, str]]) -> ProjectFacts:
    """`ProjectFacts` for a project's documents (path, first line, text), cached for the last 32 projects."""
    key_tuple = tuple((p, int(f or 1), hash(t)) for p, f, t in documents)
    key = hash(key_tuple)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == key_tuple:
            _CACHE.move_to_end(key)
            return hit[1]
    facts = ProjectFacts(documents)
    with _LOCK:
        _CACHE[key] = (key_tuple, facts)
        while len(_CACHE) > 32:
            _CACHE.popitem(last=False)
    return facts
