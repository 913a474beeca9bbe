"""The guard's typed results: evidence, claims, the post report and cascade stages.

Frozen dataclasses only, plus `to_dict`/`from_dict` helpers for storage and
the CLI's JSON output. No logic about how verdicts are reached.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rag.types import location_of

__all__ = [
    "Evidence",
    "FactCheck",
    "Claim",
    "GuardReport",
    "Stage",
    "VERDICTS",
    "report_to_dict",
    "report_from_dict",
]

VERDICTS = ("supported", "unsupported", "not_checkable")


@dataclass(frozen=True)
class Evidence:
    """One sentence of the project a claim was checked against."""

    text: str
    path: str
    start_line: int = 0
    end_line: int = 0
    score: float = 0.0
    table_line: int = 0  # a table row: the line of its table's header (0: not a table row)

    @property
    def location(self) -> str:
        """`path:start-end`, or the path alone when lines do not apply."""
        return location_of(self.path, self.start_line, self.end_line)


@dataclass(frozen=True)
class FactCheck:
    """One thing a claim asserts (a version, flag, language, licence, superlative...) checked on its own."""

    kind: str  # url | handle | version | file | package | flag | number | language | platform | licence |
    # person | organisation | superlative | negation
    text: str  # as written in the claim
    verdict: str  # "supported" | "unsupported"
    reason: str
    evidence: Evidence | None = None


@dataclass(frozen=True)
class Claim:
    """One sentence or clause of a draft with its verdict, score and evidence."""

    text: str
    start: int
    end: int
    checkable: bool
    verdict: str  # one of VERDICTS
    score: float  # 0..1, support; 0 for claims not checked
    evidence: tuple[Evidence, ...] = ()
    reason: str = ""
    revised_text: str | None = None  # the rewrite; "" when the claim was dropped; None when kept
    stage: str = ""  # which cascade stage decided: extract | specifics | facts | score | judge | evidence
    checks: tuple[FactCheck, ...] = ()  # the structured pass: what the claim asserts, each with a verdict


@dataclass(frozen=True)
class Stage:
    """One cascade stage and whether it runs here."""

    name: str
    active: bool
    why: str


@dataclass(frozen=True)
class GuardReport:
    """A claim-by-claim report of a post with its confidence and revision."""

    claims: tuple[Claim, ...]
    confidence: float  # 0..1
    revised_text: str
    dropped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    stages: tuple[Stage, ...] = field(default=())
    draft_text: str = ""

    @property
    def unsupported_share(self) -> float:
        """Share of checked claims found unsupported (0 when none were checked)."""
        checked = [c for c in self.claims if c.verdict != "not_checkable"]
        return sum(c.verdict == "unsupported" for c in checked) / len(checked) if checked else 0.0

    @property
    def changed(self) -> bool:
        """True when the revision differs from the draft."""
        return self.revised_text.strip() != self.draft_text.strip()


def report_to_dict(report: GuardReport) -> dict[str, Any]:
    """Plain JSON-ready dict of a report."""
    out = asdict(report)
    out["unsupported_share"] = report.unsupported_share
    return out


def report_from_dict(data: dict[str, Any]) -> GuardReport:
    """Rebuild a report from `report_to_dict` output."""
    claims = tuple(
        Claim(
            **{
                **c,
                "evidence": tuple(Evidence(**e) for e in c.get("evidence", ())),
                "checks": tuple(_check(k) for k in c.get("checks", ())),
            }
        )
        for c in data.get("claims", ())
    )
    return GuardReport(
        claims=claims,
        confidence=float(data.get("confidence", 0.0)),
        revised_text=data.get("revised_text", ""),
        dropped=tuple(data.get("dropped", ())),
        notes=tuple(data.get("notes", ())),
        stages=tuple(Stage(**s) for s in data.get("stages", ())),
        draft_text=data.get("draft_text", ""),
    )


def _check(data: dict[str, Any]) -> FactCheck:
    ev = data.get("evidence")
    return FactCheck(**{**data, "evidence": Evidence(**ev) if ev else None})
