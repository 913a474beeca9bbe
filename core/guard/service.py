"""What the guard step reports in the event log; the check itself runs in `core.gate` for every version."""

from __future__ import annotations

from chains.guard import GuardReport

__all__ = ["guard_scores"]


def guard_scores(report: GuardReport) -> dict[str, float]:
    """The scores the "guard" event carries."""
    return {
        "confidence": float(report.confidence),
        "unsupported_share": round(float(report.unsupported_share), 4),
        "claims": float(sum(1 for c in report.claims if c.verdict != "not_checkable")),
    }
