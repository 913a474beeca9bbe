"""Sentences and short phrases cut from a project's own text, without adding a word.

`split_sentences` splits prose without breaking "e.g.", versions or URLs;
`condense` shortens a feature line by only deleting (parentheticals, emoji and
symbols, a leading pronoun, trailing clauses) so every content word left still
comes from the source. `is_prose` tells prose from code, link lists and
noise. Used by `rag.card`; no I/O.
"""

from __future__ import annotations

import re

from rag.injection import looks_like_instruction

__all__ = [
    "split_sentences",
    "first_sentence",
    "condense",
    "is_prose",
    "english_share",
    "not_a_feature",
    "is_notice",
    "NAME_ORIGIN",
    "SALES",
]

_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx|incl|no|fig|mr|dr|st)\.$|(?<![\w.])[A-Z]\.$", re.I)
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_PAREN = re.compile(r"\s*\([^()]*\)")
_LEAD_SYMBOLS = re.compile(r"^[^\w\s\"'(`.\-/~$@#*\[]+\s*")
_LEAD_PRONOUN = re.compile(
    r"^(?:it|this (?:library|package|project|tool|module|crate|gem|plugin|app|framework|extension|repo(?:sitory)?))\s+"
    r"(?=[a-z]+s\b)",
    re.I,
)
_TRAILING = re.compile(
    r"(?:,\s+|\s+)(?:which|so that|so you|because|since|whereas|making it|allowing you|meaning|"
    r"and (?:it|this|you|we))\b.*$|,?\s+(?:e\.g\.|i\.e\.|etc\.).*$|\s*;\s+.*$|\s+(?:—|–|--)\s+(?=\S).*$",
    re.I,
)
_SUBORDINATE = re.compile(
    r"^(like|unlike|if|when|while|whereas|although|though|since|as|for|in|with|without|"
    r"because|after|before|once|unless|by)\b",
    re.I,
)
_ENGLISH = frozenset(
    "the a an and or of to in for with is are on that this it as be by from you your can use your".split()
)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; an abbreviation such as "e.g." does not end one."""
    pieces = _SPLIT.split(" ".join(text.split()))
    out: list[str] = []
    for piece in pieces:
        if out and _ABBREV.search(out[-1]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return [p.strip() for p in out if p.strip()]


def first_sentence(text: str) -> str:
    """The first sentence of `text` ("" for none)."""
    sentences = split_sentences(text)
    return sentences[0] if sentences else ""


def english_share(text: str) -> float:
    """Share of the words of `text` that are common English function words (about 0.3 in English prose)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    return sum(w in _ENGLISH for w in words) / len(words) if words else 0.0


def is_prose(text: str, min_words: int = 3) -> bool:
    """True for a readable phrase or sentence: enough words, mostly letters, not code or an instruction."""
    words = text.split()
    if len(words) < min_words or len(text) > 600:
        return False
    letters = sum(c.isalpha() or c.isspace() for c in text)
    if letters / max(len(text), 1) < 0.7:
        return False
    # a file or path ("docs/index.md", "src/app.py"), not a name that ends like one ("plotly.py", "Node.js")
    if re.search(r"[{}<>=]|^\$ |\(\)|https?://|\.(md|rst|html)\b|/\S*\.(py|js)\b", text):
        return False
    return not looks_like_instruction(text)


def condense(text: str, max_words: int = 14) -> str:
    """A short line cut from `text` by deletion only ("" when no clean short line is left).

    Example: condense("It supports async (via httpx), which makes it fast.") == "Supports async"
    """
    original = " ".join(text.split())
    t = _LEAD_SYMBOLS.sub("", original)
    for _ in range(2):
        t = _PAREN.sub("", t)
    t = first_sentence(t) or t
    t = _LEAD_PRONOUN.sub("", t)
    head, sep, rest = t.partition(": ")
    if sep and len(head.split()) <= 5 and rest:
        rest = _TRAILING.sub("", rest)
        t = f"{head}: {rest}" if len(rest.split()) >= 2 else head
    else:
        t = _TRAILING.sub("", t)
    t = t.strip().rstrip(".,;:!-–— ").strip()
    if len(t.split()) > max_words:
        cut = t[: len(" ".join(t.split()[:max_words]))]
        comma = cut.rfind(", ")
        if comma > 0 and len(cut[:comma].split()) >= 4 and not _SUBORDINATE.match(cut):
            t = cut[:comma]
        else:
            return ""
    if t.count("(") != t.count(")") or t.count('"') % 2 or t.count("`") % 2:
        return ""
    if not t:
        return ""
    changed_start = not original.startswith(t[:12])
    return t[:1].upper() + t[1:] if changed_start else t


# How to get it is not what it does ("Install with pip ..."), and "To effortlessly add ..." is half a sentence.
_NOT_A_FEATURE = re.compile(
    r"^(to|so that|in order to)\s|\b(install(ed|ing|ation|s)?|pip|pypi|package manager|repl)\b", re.IGNORECASE
)
# A pointer to documentation or the changelog, or a citation, is not a capability of the project.
_POINTER = re.compile(
    r"\b(documentation|doxygen|wiki|quick ?reference|reference manual|user guide|live demo|tutorials?|"
    r"please (visit|see|refer|read)|visit our|refer to|read more|learn more|see the|cite|citation|paper|"
    r"brand guidelines|notable changes|will be documented|this file)\b",
    re.IGNORECASE,
)
# "Kaleido requires Chrome or Chromium", "you may need to install ...": what it needs, not what it does
_REQUIREMENT = re.compile(
    r"\b(requires|depends on|is required|are required|(you )?(may |will )?need to)\b", re.I
)
# "Minimum supported Python version increases are released as minor versions": the project's
# release policy, not something it does
_POLICY = re.compile(
    r"\b(released as|(minor|major|patch) (version|release)s?|semantic versioning|semver|backwards?[- ]incompatible)\b",
    re.I,
)
# "And much, much more", "Also, it is a fork ...": the tail of a list or of a paragraph, not a capability
_CONTINUES = re.compile(r"^(and|also|but|or|so|finally|then|plus|etc)\b", re.IGNORECASE)
# "name: str - used to identify ...", "iterable : iterable, optional ...": a parameter's documentation
_PARAMETER = re.compile(
    r"^[\w.]+\s*:\s*(str|int|float|bool|dict|list|tuple|callable|iterable|bytes|any|none|optional)\b", re.I
)
# the origin of a name ("derives from the Arabic word"), never what the project is or does
NAME_ORIGIN = re.compile(
    r"\b(derives? from|derived from|named (after|for)|the name (comes|is|was|means)|stands for|"
    r"(an )?abbreviation (for|of)|short for|acronym (for|of)|is pronounced|(greek|latin|arabic|japanese|"
    r"spanish|french|hebrew|sanskrit|german|italian) (word|for))\b",
    re.I,
)
# a contact, sales or support line ("Contact us for consulting"), never a tagline or a feature
SALES = re.compile(
    r"\b(contact us|get in touch|reach out to us|consulting|hire us|commercial (support|licen[cs]e)|"
    r"enterprise (support|plans?|edition)|book a (demo|call)|(see|our) pricing|pricing page|professional services|"
    r"paid support|custom development|feature additions|community chat|chat (with us |room )?(at|on)|"
    r"join (us|our)|(our|the) mailing list|(community|user|discussion) forum|feel free to|ask us|"
    r"don'?t hesitate|check out|paying the maintainers|save time, reduce risk|tidelift)\b",
    re.I,
)
_DANGLING = frozenset("of for to and or the a an with in on by".split())
_SMALL = frozenset(
    "a an and or of the in on for to with by from via vs at into over between using as".split()
)
_NOTICE = re.compile(
    r"\b(maintenance mode|deprecated|no longer (maintained|supported)|end[- ]of[- ](life|support)|has moved|"
    r"moved to|is now part of|archived|looking for (maintainers|a new maintainer)|important|notice|warning|"
    r"announcement|breaking change|no longer|we are hiring|this (readme|fork|page|document|site) (is|was)|"
    r"we recommend|please (use|migrate|note|see|read)|migrate to|can be found|is available (at|on|from|in)|"
    r"documentation (is|can)|read the docs|for (the )?(more|full|complete|detailed) (info|information|details|"
    r"documentation|docs)|alternatively)\b",
    re.IGNORECASE,
)


def _is_title(phrase: str) -> bool:
    """True for a Title Case headline ("Perfecting Terminal Character Width Using Correction Tables")."""
    words = re.findall(r"[^\W\d_][\w'-]*", phrase)
    capital = [w for w in words if w[0].isupper()]
    return len(capital) >= 3 and all(w[0].isupper() or w.lower() in _SMALL for w in words)


def not_a_feature(phrase: str) -> str:
    """Why a phrase is not a capability of the project ("" when it may be one).

    Getting the project (installing it), a purpose clause with no subject, a pointer to documentation or
    the changelog, a citation, a name's origin, a contact or sales line, a question, a fragment
    cut off after "of", a requirement ("requires Chrome"), the continuation of a list ("And much more"), a parameter's documentation, a
    headline in Title Case, or a line that does not start with a word.
    """
    if _NOT_A_FEATURE.search(phrase):
        return "about getting the project, or half a sentence"
    if _POINTER.search(phrase):
        return "a pointer to documentation or the changelog, or a citation"
    if NAME_ORIGIN.search(phrase) or SALES.search(phrase):
        return "the origin of the name, or a contact or sales line"
    if phrase.rstrip().endswith("?") or phrase.split()[-1:] and phrase.split()[-1].lower() in _DANGLING:
        return "a question or a cut-off fragment"
    if _CONTINUES.match(phrase):
        return "the continuation of a list or paragraph"
    if _REQUIREMENT.search(phrase):
        return "a requirement, not a capability"
    if _POLICY.search(phrase):
        return "a release or versioning policy, not a capability"
    if _PARAMETER.match(phrase):
        return "a parameter's documentation"
    if ":" not in phrase and _is_title(phrase):
        return "a headline, not a capability"
    if not re.match(r"[^\W_]", phrase):
        return "does not start with a word"
    return ""


def is_notice(text: str) -> bool:
    """True for a notice (deprecation, a move, a warning) or a pointer elsewhere ("can be found at ...")."""
    return bool(_NOTICE.search(text))
