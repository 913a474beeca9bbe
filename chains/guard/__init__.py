"""The hallucination guard: every claim of a post checked against the project, with evidence.

Public surface: `check_post`, `verify_claims`, `guard_stages` and the report
types. Parts: claims.py (extraction), evidence.py (search), specifics.py,
features.py, verify.py (cascade), rewrite.py, report.py.
"""

from chains.guard.check import check_post, guard_stages, verify_claims
from chains.guard.report import (
    VERDICTS,
    Claim,
    Evidence,
    GuardReport,
    Stage,
    report_from_dict,
    report_to_dict,
)

__all__ = [
    "check_post",
    "verify_claims",
    "guard_stages",
    "Claim",
    "Evidence",
    "GuardReport",
    "Stage",
    "VERDICTS",
    "report_to_dict",
    "report_from_dict",
]
