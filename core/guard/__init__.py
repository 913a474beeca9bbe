"""The guard in the app: the reports `core.gate` stores for every version, and their event scores.

`store.py` saves and reads the reports and their claims; `service.py` turns a
report into the guard event's scores. The check itself runs in `core.gate`.
"""

from core.guard.service import guard_scores
from core.guard.store import claim_rows, guard_report_for, load_guard_report, save_guard_report

__all__ = [
    "guard_scores",
    "save_guard_report",
    "load_guard_report",
    "guard_report_for",
    "claim_rows",
]
