"""The card's tagline: the one line, in the project's own words, that says what the project is.

`pick_tagline` chooses, in this order: a sentence of the README's opening that
names the project and says what it is or does ("Rich is a Python library
for ..."); another opening line that describes it ("A faster way to build and
share data apps."); the same in a "What is X?" section; a later sentence that
opens "NAME is a ..."; a short first paragraph on its own ("Markdown parser
done right."); a long opening definition; only then the manifest's one-line
description (pyproject `description`, PKG-INFO `Summary`, package.json ...),
which stands in consistently when the README has no line that says what the
project is; the first readable opening sentence; the title's subtitle. README
lines come first because the guard checks posts against the README, not the
manifests.
`weak_tagline` names why a sentence must never be the tagline: the origin of
the name, a contact or sales line, a detail such as "All X are supported", a
version or requirement, the project's history, a lead-in that ends in "are:",
a line that says nothing beyond the name ("This is the Dulwich project."), or
one that defines another project ("LangSmith is a ..." in LangChain's README).
A sentence over 220 characters stands in only when nothing shorter says it.
Used by `rag.card`; it does not parse documents or read manifests.
"""

from __future__ import annotations

import re

from rag.card_facts import field_of, norm
from rag.card_types import CardField
from rag.doc_blocks import Block
from rag.manifests import ManifestInfo
from rag.phrases import NAME_ORIGIN, SALES, condense, is_notice, is_prose, split_sentences
from rag.sections import section_role
from rag.types import Document

__all__ = ["pick_tagline", "weak_tagline"]

_DETAIL = re.compile(
    r"\b(are|is) (\w+ )?supported[.!]?$|\b(minimum|min\.?) (tested |supported |required )?(\w+ )?version\b|"
    r"\brequires? (python|node|rust|go|java)\b|^((version|release)\s+)?v?\d+(\.\d+)+\b|"
    r"\b(can be |is )?installed (with|using|via|from|through)\b|\bfunding\b|\b(don'?t|do not|does not) support\b|"
    r"^(\S+\s+){0,4}(was|were) (originally |initially )?(written|created|developed|started|founded|authored|begun)\b|"
    r"\b(was|were) (started|founded|created) in \d{4}\b|\bis (fully |now )?compatible with python\b|spdx|"
    r"^(\S+\s+){0,3}(is\s+)?(licensed|released|distributed) under\b|\brewrite\b|breaking changes|"
    r"\bare (now )?available (for|on|in|at|from)\b",
    re.I,
)
# "The main use cases of the library are:" introduces a list; it does not say what the project is
_LEAD_IN = re.compile(
    r"\b(are|is|include|includes|including|following|as follows|such as|like|features)[.:]$", re.I
)
# "LangSmith is a ..." in LangChain's README: a proper name as the subject of a definition
_SUBJECT = re.compile(
    r"^(?:The\s+)?((?!(?:A|An|The|This|It|That|These|Those|Our|Your|Its)\b)[A-Z][\w.+-]*"
    r"(?:\s+[A-Z][\w.+-]*){0,2})\s+(?:is|are)\s+(?:an?|the)\b"
)
_ABOUT = re.compile(r"^\W*what is (this|it|\w+)\W*$", re.I)
_LONG = 220  # characters: a longer sentence stands in only when nothing shorter says what the project is
_FILLER = frozenset(
    "this that it the a an is are was be of for to in and or its our project package library module repository "
    "repo tool code source home page official python here".split()
)
_WEAK_SENTENCE = re.compile(
    r"^(see|check|there|if|its|it|they|these|those|two|when|note|also|and|but|or|so|you|we|to|additionally|"
    r"however|moreover|furthermore|in addition|"
    r"licen[cs]e|copyright|thanks)\b|^\W",
    re.I,
)
# after the name: "is a", "are the", or a verb that says what it does ("provides", "lets you", "reads")
_DEFINING_VERB = re.compile(
    r"(\S+\s+){0,2}?((is|are)\s+(\w+\s+)?(an?|the|one)\b|(provides|offers|lets|helps|makes|gives|brings|turns|reads|"
    r"writes|adds|allows|enables|implements|converts|parses|generates|renders|measures|detects|validates|contains)\b)"
)
_IS_A = re.compile(r"\b(is|are)\s+(an?|the)\b", re.I)
_DEFINES = re.compile(
    r"^(an?|the)\s|\b(is|are)\s+(an?|the)\b|\b(lets|helps|makes|provides|offers|allows|enables)\b", re.I
)


def weak_tagline(sentence: str, name: str = "") -> str:
    """Why `sentence` must not be a project's tagline ("" when it may be)."""
    text = re.sub(
        r"\s*\([^()]*\)", "", sentence
    ).strip()  # "SciPy (pronounced ...) is ..." is still a definition
    if NAME_ORIGIN.search(text):
        return "the origin of the name"
    if SALES.search(text):
        return "a contact or sales line"
    if _DETAIL.search(text):
        return "a detail, version or history line"
    if _LEAD_IN.search(text):
        return "a lead-in to a list"
    if text.endswith("?"):
        return "a question"
    other = _SUBJECT.match(text)
    if other and name and norm(other.group(1)) not in norm(name) and norm(name) not in norm(other.group(1)):
        return "about another project"
    words = [w for w in re.findall(r"[a-z]+", text.lower()) if w not in _FILLER]  # "Python3" is "python"
    if not [w for w in words if not norm(name) or norm(w) not in norm(name)]:
        return "says nothing beyond the name"
    return ""


def _manifest_line(manifests: list[ManifestInfo], name: str) -> CardField | None:
    for m in manifests:
        d = m.description
        if d is not None and is_prose(d.value, 3) and not weak_tagline(d.value, name):
            return d
    return None


def _names_and_says(sentence: str, name: str) -> bool:
    """True when the project's name is the subject and the verb defines it ("Rich is a ...", "X provides ...")."""
    key = norm(name)
    if not key:
        return False
    words = re.sub(r"\s*\([^()]*\)", "", re.sub(r"^(the|an?)\s+", "", sentence, flags=re.I)).split()
    for i, w in enumerate(words[:3]):
        if key in norm(w) or (i + 1 < len(words) and key == norm(w + words[i + 1])):
            rest = " ".join(words[i + 1 : i + 8]).lower()
            return bool(_DEFINING_VERB.match(rest))
    return False


def _candidates(blocks: list[Block], lead: list[Block], about: list[Block]):
    """(block, sentence, where) for the opening ("lead"), a "What is X?" section ("about"), then the rest."""
    rest = [b for b in blocks if b.kind == "paragraph" and b not in lead + about and is_prose(b.text, 4)][:20]
    for b in lead + about + rest:
        sentences = split_sentences(re.sub(r"\s*:[a-z0-9_+-]+:", "", b.text))  # ":sparkles:" is an emoji
        if not sentences or is_notice(sentences[0]) or SALES.search(sentences[0]):
            continue  # a notice, or a paragraph about contacting the authors
        for s in sentences[:2]:
            s = re.sub(
                r",?\s+(including|such as|like|e\.g\.):$", ".", s
            )  # "... used in ML libraries, including:"
            if s.endswith(":") and _DEFINES.search(s) and b in lead:
                s = s[:-1].rstrip() + "."
            if not is_prose(s, 4) or s.endswith((":", "...", "…")) or _WEAK_SENTENCE.match(s) or is_notice(s):
                continue
            if len(s) > 300:
                s = condense(s, 40)
                if not s:
                    continue
            yield b, s, "lead" if b in lead else "about" if b in about else "rest"


def _opens(b: Block, name: str) -> bool:
    """True for an opening paragraph about the project, not one under "What's a task queue?" or "Installation"."""
    title = b.section
    if b.sections and title.rstrip().endswith("?"):
        return norm(name) in norm(title) or bool(re.search(r"\b(this|it)\b", title, re.I))
    return section_role(b.sections) not in ("install", "usage")


def pick_tagline(blocks: list[Block], lead: list[Block], doc: Document, manifests: list[ManifestInfo],
                 name: str) -> CardField | None:  # fmt: skip
    """The project's own one-line description (see the module docstring for the order), or None."""
    # the opening, without paragraphs taken from a later section about something else ("What's a task queue?")
    lead = [b for b in lead[:4] if _opens(b, name)]
    about = [b for b in blocks if b.kind == "paragraph" and _ABOUT.search(b.section) and b not in lead][:2]
    found = [(b, s, where) for b, s, where in _candidates(blocks, lead, about) if not weak_tagline(s, name)]
    # The README's own words first: the guard checks a post against the README, and the manifest's
    # description stands in only when the README has no line that says what the project is.
    first_block = lead[0] if lead else None

    def one_liner(b: Block, s: str) -> bool:  # "Markdown parser done right." alone under the title
        return b is first_block and s == b.text.strip() and len(s.split()) <= 16

    tests = (lambda b, s: _names_and_says(s, name), lambda b, s: bool(_DEFINES.search(s)))
    for where in ("lead", "about"):  # the opening's definition, then a "What is X?" section's
        part = [(b, s) for b, s, w in found if w == where and len(s) <= _LONG]
        for test in tests:
            hit = next(((b, s) for b, s in part if test(b, s)), None)
            if hit is not None:
                return field_of(doc, *hit)
    key = norm(name)
    for b, s, where in found:  # "Transformers is the model-definition framework for ..." further down
        subject = norm(re.sub(r"^(the|an?)\s+", "", s, flags=re.I))
        if (
            where == "rest"
            and key
            and subject.startswith(key)
            and _IS_A.search(s[:120])
            and _names_and_says(s, name)
        ):
            return field_of(doc, b, s)
    opening = [(b, s) for b, s, where in found if where == "lead"]
    hit = next(((b, s) for b, s in opening if one_liner(b, s)), None)
    if hit is not None:
        return field_of(doc, *hit)
    for b, s, where in found:  # "hf-xet enables huggingface_hub to ..." further down
        subject = norm(re.sub(r"^(the|an?)\s+", "", s, flags=re.I))
        if (
            where == "rest"
            and key
            and subject.startswith(key)
            and _names_and_says(s, name)
            and len(s) <= _LONG
        ):
            return field_of(doc, b, s)
    for b, s in opening:
        if _names_and_says(s, name) or _DEFINES.search(s):
            return field_of(doc, b, s)  # a long definition still beats the manifest's line
    man = _manifest_line(manifests, name)
    if man is not None:
        return man
    if opening:
        return field_of(doc, *opening[0])
    h1 = next((b for b in blocks if b.kind == "heading" and b.level == 1), None)
    if h1 is not None:
        parts = re.split(r"\s+[-–—:|]\s+|: ", h1.text, maxsplit=1)
        if len(parts) == 2 and is_prose(parts[1], 2) and not weak_tagline(parts[1], name):
            return field_of(doc, h1, parts[1].strip())
    return None
