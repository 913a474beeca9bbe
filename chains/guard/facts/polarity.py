"""The polarity check: a project sentence that says nearly all the claim says, negated or with the opposite word.

No other checks here (see kinds.py).
"""

from __future__ import annotations

import re

from chains.guard.facts.project import ProjectFacts, _ev, _stem
from chains.guard.facts.tables import _NEG_EXTRA, _OPPOSITE, _WEAK, POLARITY_COVER
from chains.guard.report import FactCheck
from chains.guard.textutil import content_tokens, negation_count, tokens


def _closest_clause(text: str, core: set[str]) -> list[str]:
    """The tokens of the clause of `text` that holds most of the claim's words.

    A list item's bold title can be glued to the sentence before it ("... takes about 40 ms. Search
    without a server."); the polarity of the glued clause is not the polarity of the claim's.
    """
    clauses = [c for c in re.split(r"(?<=[.!?;])\s+|\*\*|\s[-–—]\s", text) if c.strip()]
    if len(clauses) < 2:
        return tokens(text)
    scored = [(len(core & {_stem(w) for w in content_tokens(c)}), c) for c in clauses]
    best = max(n for n, _ in scored)
    return tokens(next(c for n, c in scored if n == best)) if best else tokens(text)


def _polarity_check(claim: str, facts: ProjectFacts) -> list[FactCheck]:
    """A project sentence that says nearly all the claim says, with the opposite polarity or word."""
    ctoks = tokens(claim)
    words = [t for t in content_tokens(claim) if t not in _WEAK]
    core = {_stem(w) for w in words if w not in _OPPOSITE and not w.replace(".", "").isdigit()}
    claim_opp = {t for t in ctoks if t in _OPPOSITE}
    if len(core) < (2 if claim_opp else 3):
        return []
    claim_neg = _negated(ctoks)
    covers = [(len(core & s.words) / len(core), s) for s in facts.sentences]
    best_cover = max((c for c, _ in covers), default=0.0)
    if best_cover < POLARITY_COVER:
        return []
    near = [(c, s) for c, s in covers if c >= max(POLARITY_COVER, best_cover - 0.15)]
    near.sort(key=lambda cs: -cs[0])
    verdicts = []
    for _, s in near:
        stoks = _closest_clause(s.text, core)
        flipped = [w for w in claim_opp if _OPPOSITE[w] in stoks and w not in stoks]
        verdicts.append((claim_neg == _negated(stoks) and not flipped, flipped, s))
    agree = [s for ok, _, s in verdicts if ok]
    if agree:
        # one nearly-as-close sentence says the same thing with the same polarity: no contradiction
        return [
            FactCheck("negation", _snippet(claim), "supported", "same polarity as the project", _ev(agree[0]))
        ]
    _, flipped, best = verdicts[0]
    if flipped:
        w = flipped[0]
        return [
            FactCheck(
                "negation",
                w,
                "unsupported",
                f"the claim says '{w}' where the project says '{_OPPOSITE[w]}' ({best.path}:{best.start_line})",
                _ev(best),
            )
        ]
    said = "negates what the project says" if claim_neg else "drops the project's negation"
    return [
        FactCheck(
            "negation",
            _snippet(claim),
            "unsupported",
            f"the claim {said} ({best.path}:{best.start_line})",
            _ev(best),
        )
    ]


def _negated(toks: list[str]) -> bool:
    return negation_count(toks) > 0 or any(t in _NEG_EXTRA for t in toks)


def _snippet(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
