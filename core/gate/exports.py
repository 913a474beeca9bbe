"""`export_permit`: the one check every export path passes (pages, CLI, batches, video renders)."""

from __future__ import annotations

from core.errors import ExportRefusedError
from core.gate.types import EXPORTABLE_STATUSES, REVIEW_APPROVE_HINT, ExportPermit
from core.store import ItemStatus, Store


# --- the way out -----------------------------------------------------------------------------------
def export_permit(store: Store, item_id: int) -> ExportPermit:
    """May the item's current version be exported? Raises ExportRefusedError naming the next step."""
    item = store.get_item(item_id)
    status = item.status
    if status in EXPORTABLE_STATUSES:
        version = store.latest_version(item_id)
        warning = ""
        if status == ItemStatus.FLAGGED:
            warning = f"item {item_id} is flagged by moderation: read it once more before you publish it"
        return ExportPermit(item, version, warning)
    hint = REVIEW_APPROVE_HINT.format(id=item_id)
    why = {
        ItemStatus.REVIEW_REQUIRED: f"item {item_id} waits for review: {hint}",
        ItemStatus.NEEDS_REVIEW: f"item {item_id} waits for review (the guard could not confirm its claims): {hint}",
        ItemStatus.SENT_BACK: (
            f"item {item_id} was sent back by its reviewer: edit it (`python -m core refine --item {item_id}"
            " --instruction ...` or the Library page) and it goes back to review"
        ),
        ItemStatus.REJECTED: f"item {item_id} was rejected and is never exported: create a new post",
        ItemStatus.DRAFT: f"item {item_id} has not been checked yet: generate it again",
    }.get(status, f"item {item_id} is {status}: it cannot be exported")
    raise ExportRefusedError(why[0].upper() + why[1:])
