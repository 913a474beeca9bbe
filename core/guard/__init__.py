"""The guard in the app: check a stored version against the project and keep the report.

`service.py` runs `chains.guard` on a stored version and decides when an item
needs review; `store.py` saves and reads the reports and their claims.
"""

from core.guard.service import guard_scores, guard_version, needs_review
from core.guard.store import claim_rows, guard_report_for, load_guard_report, save_guard_report

__all__ = [
    "guard_version",
    "guard_scores",
    "needs_review",
    "save_guard_report",
    "load_guard_report",
    "guard_report_for",
    "claim_rows",
]
