"""Checks that tie a claim's parts to what the project says around them.

- version in context: when one project sentence restates nearly all of a claim
  (the share `POLARITY_COVER` of its content words) and gives a version there,
  the claim's version must be that one. "Drop support for Python 3.12" against
  "Drop support for Python 3.10" is a real version attached to the wrong
  release: the bare look-up of kinds.py finds "3.12" elsewhere and passes it.
- invented capability: a clause that asserts a capability ("can", "lets you",
  "supports", ...) in content words the project never uses ("and it can also
  sync your settings to the cloud") claims a feature the project does not
  speak of anywhere.
No models: sets and regexes over `ProjectFacts`. Other kinds are in kinds.py.
"""

from __future__ import annotations

import re

from chains.guard.facts.project import ProjectFacts, _ev, _stem
from chains.guard.facts.tables import _WEAK, POLARITY_COVER
from chains.guard.report import FactCheck
from chains.guard.textutil import content_tokens

__all__ = ["version_context_checks", "novel_clause_checks", "versions_in", "NOVEL_MIN", "NOVEL_SHARE"]

NOVEL_MIN = 3  # content words of one clause that the project never uses
NOVEL_SHARE = 0.75  # ... and their share of the clause's content words
NEAR_MARGIN = 0.15  # sentences this close to the best cover also count as restating the claim
_VERSIONISH = re.compile(r"(?<![\w.])v?(\d+\.\d+(?:\.\d+)*)(?![\w.]*\d)", re.I)
# words that assert a capability ("it can also ...", "lets you ...", "supports ...")
_CAN = re.compile(
    r"\b(?:can|could|lets?|allows?|enables?|supports?|provides?|offers?|ships?|includes?|comes with|"
    r"is able to|features?|adds?)\b",
    re.I,
)
# clause boundaries: punctuation, coordinating words, a dash between spaces
_CLAUSE = re.compile(r"[,;:()]\s*|\s+(?:and|but|while|which|so|or)\s+|\s[-–—]+\s")


def versions_in(text: str) -> list[str]:
    """Dotted version numbers in a text ("3.12", "v2.16.2" -> "2.16.2"), in order.

    Example: versions_in("Python 3.11-3.12") == ["3.11", "3.12"]
    """
    return [m.group(1) for m in _VERSIONISH.finditer(text)]


def _core(text: str) -> set[str]:
    return {_stem(t) for t in content_tokens(text) if t not in _WEAK and not any(c.isdigit() for c in t)}


def version_context_checks(claim: str, facts: ProjectFacts) -> list[FactCheck]:
    """For each dotted version of the claim: the sentences restating the claim must give it, when they give any."""
    claimed = list(dict.fromkeys(versions_in(claim)))
    if not claimed:
        return []
    core = _core(claim)
    if len(core) < 3:
        return []
    covers = [(len(core & s.words) / len(core), s) for s in facts.sentences]
    best = max((c for c, _ in covers), default=0.0)
    if best < POLARITY_COVER:
        return []
    near = sorted(
        ((c, s) for c, s in covers if c >= max(POLARITY_COVER, best - NEAR_MARGIN)), key=lambda cs: -cs[0]
    )
    given = [(s, versions_in(s.text)) for _, s in near]
    given = [(s, vs) for s, vs in given if vs]
    if not given:
        return []  # the restating sentences give no version: nothing to tie the claim's to
    out = []
    for version in claimed:
        agree = next((s for s, vs in given if version in vs), None)
        if agree is not None:
            out.append(
                FactCheck("version", version, "supported", f"the project gives {version} here", _ev(agree))
            )
            continue
        s, vs = given[0]
        out.append(
            FactCheck(
                "version",
                version,
                "unsupported",
                f"the project says this with {', '.join(dict.fromkeys(vs))}, not {version} "
                f"({s.path}:{s.start_line})",
                _ev(s),
            )
        )
    return out


def novel_clause_checks(claim: str, facts: ProjectFacts) -> list[FactCheck]:
    """A capability clause whose content words the project never uses (at least `NOVEL_MIN`, `NOVEL_SHARE` of them)."""
    out = []
    for clause in _CLAUSE.split(claim):
        if not _CAN.search(clause):
            continue  # a clause that asserts no capability ("the document discusses ...")
        words = _core(_CAN.sub(" ", clause))
        if len(words) < NOVEL_MIN:
            continue
        novel = words - facts.vocab
        if len(novel) >= NOVEL_MIN and len(novel) / len(words) >= NOVEL_SHARE:
            said = " ".join(clause.split()).strip(" .")
            out.append(
                FactCheck(
                    "capability",
                    said,
                    "unsupported",
                    f"the project never speaks of '{said}' (it never uses "
                    f"{', '.join(sorted({w for w in content_tokens(clause) if _stem(w) in novel})[:4])})",
                )
            )
    return out
