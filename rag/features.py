"""The card's features: short lines, cut from the README's own lists, that each say what the project can do.

`pick_features` reads list items (and two-column rows of a features table):
first those under a features heading, then the top-level ones, then those
under a "why" heading, then the rest near the top of the document. It never
reads items under a heading that explains or qualifies the project ("How it
works", "Known problems", "Parameters", "Dependencies", a version heading:
`rag.sections.detail_section`), nor a list introduced by a sentence about
trade-offs, disadvantages, documentation or an order of inputs
("Disadvantages:", "... trade-offs with respect to", "from these data
sources"). Each item is shortened by deletion only (`rag.phrases.condense`)
and dropped when it is not a capability (`rag.phrases.not_a_feature`). Used
by `rag.card`; it does not parse documents.
"""

from __future__ import annotations

import re

from rag.card_facts import field_of, norm
from rag.card_types import CardField
from rag.doc_blocks import Block
from rag.phrases import condense, is_notice, is_prose, not_a_feature
from rag.sections import detail_section, section_role
from rag.types import Document

__all__ = ["pick_features", "MAX_FEATURES"]

MAX_FEATURES = 8
_CODEISH = re.compile(
    r"\bby @\w|#\d|\\|\[|\]|~/|\w/\w+\.\w|\s\.\w|\w\.\w+\(|\w_\w|\w\[\w|\w\(\)|\be\.g\.\s*\S+$|^[-.]|--\w|\w::\w|="
    r"|(^|\s)'[^'\s]{1,12}'"
)
_WEAK_ITEM = re.compile(
    r"^(if|you|there|set|default|see|note|when|see also|free software|licen[cs]e|copyright|"
    r"requires?|python \d|tested|supported python|documentation|source code|bug|issues?|install|to|is|are|was|were)\b"
    r"|^[^:]{1,40}:\s+(it|this|there)\s+(is|are)\b",
    re.I,
)
# the sentence before a list that makes its items costs, limits or pointers, not capabilities
_QUALIFIED = re.compile(
    r"\b(disadvantages?|drawbacks?|limitations?|caveats?|cons|trade-?offs?|downsides?|not supported|unsupported|"
    r"known (issues|problems|bugs)|entry points|documentation|depends on|dependencies|requires|required|"
    r"precedence|namely|(data|these|following) sources)\b",
    re.I,
)
_DANGLING = frozenset("of for to and or the a an with in on by".split())


def _same_words(a: str, b: str) -> bool:
    """True when two phrases share most of their words ("Enable git-like X" vs "Enables git-like X.")."""
    wa = {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", a.lower())}
    wb = {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", b.lower())}
    return bool(wa and wb) and len(wa & wb) / min(len(wa), len(wb)) >= 0.8


def _qualified_lists(blocks: list[Block]) -> set[int]:
    """Indexes of the list items whose list is introduced by a qualifying sentence ("Disadvantages:")."""
    out: set[int] = set()
    lead = ""
    for i, b in enumerate(blocks):
        if b.kind == "item":
            if _QUALIFIED.search(lead):
                out.add(i)
        elif b.kind == "paragraph":
            lead = b.text[-160:]
        else:
            lead = ""
    return out


def _short(text: str) -> str:
    """The item as a short feature line, or "" when it is not one."""
    titled = re.match(r"^([^.!?:]{2,40})[.!?]\s+(\S.+)$", text)
    if (
        titled and len(titled.group(1).split()) <= 4
    ):  # "**Fast builds.** Lumen keeps ..." -> "Fast builds: ..."
        text = f"{titled.group(1)}: {titled.group(2)}"
    short = condense(text, 18 if titled else 14)
    if (
        not short
        or re.match(r"^[\"“'‘*]", short)
        or _CODEISH.search(short)
        or (len(short.split()) < 3 and ":" not in short)
        or _WEAK_ITEM.match(short)
        or not_a_feature(short)
        or short.split()[-1].lower() in _DANGLING
    ):
        return ""
    return short


def pick_features(blocks: list[Block], doc: Document, tagline: CardField | None) -> tuple[CardField, ...]:
    """Up to `MAX_FEATURES` short capability lines from the README's lists, each with its lines."""
    qualified = _qualified_lists(blocks)
    items = [
        b
        for i, b in enumerate(blocks)
        if (
            b.kind == "item"
            or b.kind == "row"
            and section_role(b.sections) == "features"
            and b.text.count(" | ") == 1
        )
        and b.level <= 2
        and section_role(b.sections) not in ("install", "usage")
        and not detail_section(b.sections)
        and i not in qualified
    ]
    groups = [
        [b for b in items if section_role(b.sections) == "features"],
        [b for b in items if len(b.sections) <= 1],
        [b for b in items if section_role(b.sections) == "why"],
        [b for b in items if len(b.sections) <= 2],
    ]
    out: list[CardField] = []
    seen: set[str] = set()
    for group in groups:
        header = min((r.start_line for r in group if r.kind == "row"), default=0)
        for b in group:
            if b.kind == "row" and b.start_line == header:
                continue  # a table's header row
            text = b.text.replace(" | ", ": ", 1) if b.kind == "row" else b.text
            if text.rstrip().endswith(":") or not is_prose(text, 2) or b.only_links or is_notice(text):
                continue
            short = _short(text)
            if not short or (group is groups[-1] and len(short.split()) < 4):
                continue
            key = norm(short)
            if len(short.split()) < 2 or key in seen or (tagline and _same_words(short, tagline.value)):
                continue
            seen.add(key)
            out.append(field_of(doc, b, short))
            if len(out) >= MAX_FEATURES:
                return tuple(out)
        if len(out) >= 3:
            break
    return tuple(out)
