"""The one gate every new version passes before it can be an item's current text.

`submit_version` takes a proposed version (its text, origin, author and parent), scans it
for secrets, checks its claims with the hallucination guard against the item's project,
moderates the text that would be shown, and then stores the version, any guard revision,
the reports and the item's new status in ONE transaction, and logs one event per check.
Generation, refinement, reviewer edits, restores, improvements and storyboards all come
here; nothing else writes `versions`. A reviewer's approval holds only for the text that
was approved: a new version's status comes from its own checks.

`accept_pending` makes a pending version (an improvement, a storyboard) current using the
checks stored when it passed the gate. `export_permit` is the matching check on the way
out, used by every export path. This module does not write text (chains), score text
(core.moderation) or render anything.

Parts: `types.py` (the dataclasses), `checks.py` (project, guard, status rule), `submit.py`
(`submit_version`), `pending.py` (`accept_pending`, `dismiss_pending`), `exports.py` (`export_permit`).
"""

from core.gate.checks import project_for_item, status_for
from core.gate.exports import export_permit
from core.gate.pending import accept_pending, dismiss_pending
from core.gate.submit import submit_version
from core.gate.types import (
    EXPORTABLE_STATUSES,
    ExportPermit,
    GateResult,
    NewItem,
    ProjectContext,
    ProposedVersion,
)

__all__ = [
    "ProposedVersion",
    "NewItem",
    "ProjectContext",
    "GateResult",
    "ExportPermit",
    "submit_version",
    "accept_pending",
    "dismiss_pending",
    "status_for",
    "export_permit",
    "project_for_item",
    "EXPORTABLE_STATUSES",
]
