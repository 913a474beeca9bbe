"""Structured checks of what a claim about software asserts, each with its own verdict and evidence.

A claim about a project asserts specific things: a version, a number with its
unit, a command or flag, a file or package name, a programming language, a
platform, a licence, a person or organisation, a superlative or endorsement,
and a polarity (it does or does not do something). `check_facts` finds each
assertion in the claim and looks it up in the project (`ProjectFacts`: every
sentence of the project with its path and lines, built once per project), so
each gets a `FactCheck` with a verdict and the sentence that supports or
contradicts it. A failed check makes the claim unsupported outright (verify.py);
a claim whose checks all pass goes on to the calibrated score.

Parts: tables.py (what a claim can name), project.py (`ProjectFacts`, the project read once),
kinds.py (one check per kind of assertion), polarity.py (negation and opposite words),
context.py (a version tied to the sentence the claim restates, an invented capability); this
module runs them in order (`check_facts`).

Rules:
- versions, URLs, @handles, files, packages, flags: must appear in the project;
- numbers: must appear in a sentence that shares a content word with the claim,
  with the same unit when the claim gives one ("2 ms" is not "2 s"); number
  words count ("three" = 3);
- languages, platforms, licences: a name the project never uses is unsupported
  (a project's language is also read from its install commands and file names);
- people and organisations named as author, maker or user ("built by", "used
  by Google"): must appear in the project;
- superlatives and endorsements ("the fastest", "the most popular", "used by
  Netflix", "trusted by thousands"): unsupported by rule unless the project
  says the same;
- versions in context: when the project sentences that restate the claim give a
  version, the claim's must be among theirs (a real version on the wrong release);
- invented capability: a clause asserting a capability ("can", "lets you",
  "supports", ...) with at least 3 content words, three quarters of which the
  project never uses, is unsupported;
- polarity: when one project sentence says nearly everything the claim says,
  but one of them is negated or uses the opposite word ("optional" vs
  "required"), the claim is unsupported and that sentence is the evidence.
No models: regex and sets only (about 2 ms per claim; reading a project once,
0.1-0.3 s, is cached).
"""

from __future__ import annotations

from chains.guard.facts.context import novel_clause_checks, version_context_checks
from chains.guard.facts.kinds import (
    _command_checks,
    _flag_checks,
    _named_checks,
    _number_checks,
    _spec_check,
    _superlative_checks,
    _tool_checks,
    _who_checks,
)
from chains.guard.facts.polarity import _polarity_check
from chains.guard.facts.project import ProjectFacts, _stem, _words, project_facts
from chains.guard.facts.tables import (
    ANTONYMS,
    FACT_KINDS,
    LANGUAGES,
    LICENCES,
    ORGANISATIONS,
    PLATFORMS,
)
from chains.guard.report import FactCheck
from chains.guard.specifics import HARD_KINDS, extract_specifics

__all__ = [
    "FactCheck",
    "ProjectFacts",
    "check_facts",
    "project_facts",
    "failed",
    "FACT_KINDS",
    "LANGUAGES",
    "PLATFORMS",
    "LICENCES",
    "ORGANISATIONS",
    "ANTONYMS",
]


def failed(checks: tuple[FactCheck, ...] | list[FactCheck]) -> list[FactCheck]:
    """The checks that did not pass."""
    return [c for c in checks if c.verdict == "unsupported"]


def check_facts(claim: str, facts: ProjectFacts) -> tuple[FactCheck, ...]:
    """Every structured check of a claim against the project, in the order of `FACT_KINDS`."""
    if facts.empty or not claim.strip():
        return ()
    near = set(_words(claim))
    specs = extract_specifics(claim)
    out: list[FactCheck] = []
    for spec in specs:
        if spec.kind == "package" and spec.text.startswith("-"):
            continue  # an option in backticks: the flag check below reads it, case-sensitively
        if spec.kind in HARD_KINDS and spec.kind != "number":
            out.append(_spec_check(spec, facts, near))
    taken = {s.text.lower() for s in specs if s.kind == "package" and not s.text.startswith("-")}
    out += _command_checks(claim, facts, near)
    out += _tool_checks(claim, facts, near)
    out += _flag_checks(claim, facts, near, taken)
    out += _number_checks(claim, facts, near - {_stem(s.norm) for s in specs if s.kind == "number"}, specs)
    out += _named_checks("language", LANGUAGES, facts.languages, claim, facts, near)
    out += _named_checks("platform", PLATFORMS, facts.platforms, claim, facts, near)
    out += _named_checks("licence", LICENCES, facts.licences, claim, facts, near)
    out += _who_checks(claim, facts, near)
    out += _superlative_checks(claim, facts, near)
    out += _polarity_check(claim, facts)
    tied = version_context_checks(claim, facts)
    wrong = {c.text for c in tied if c.verdict == "unsupported"}
    # a version restated with the wrong release: the bare look-up that found it elsewhere no longer counts
    out = [
        c
        for c in out
        if not (c.verdict == "supported" and c.kind in ("number", "version") and c.text.lstrip("vV") in wrong)
    ]
    out += tied
    out += novel_clause_checks(claim, facts)
    order = {k: i for i, k in enumerate(FACT_KINDS)}
    return tuple(sorted(out, key=lambda c: order.get(c.kind, 99)))
