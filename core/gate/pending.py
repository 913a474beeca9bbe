"""Pending versions (improvements, storyboards): accept them with their stored checks, or dismiss them."""

from __future__ import annotations

from core.errors import InvalidInputError
from core.gate.checks import status_for
from core.gate.types import GateResult
from core.services import Services
from core.store import ItemStatus, Store, Version


# --- pending versions ----------------------------------------------------------------------------
def _pending(store: Store, item_id: int) -> list[Version]:
    return [v for v in store.versions(item_id) if v.state == "pending"]


def accept_pending(services: Services, item_id: int, *, actor: str) -> GateResult:
    """Make the item's pending version(s) current, with the status their stored checks gave them."""
    from core.guard.store import guard_report_for
    from core.moderation.store import latest_version_moderation

    store = services.store
    item = store.get_item(item_id)
    pending = _pending(store, item_id)
    if not pending:
        raise InvalidInputError(f"Item {item_id} has no pending version to accept")
    if item.status == ItemStatus.REJECTED:
        raise InvalidInputError(
            f"Item {item_id} was rejected; a rejected item is never changed: create a new post"
        )
    newest = pending[-1]
    stored = latest_version_moderation(store, newest.id)
    if stored is None:
        raise InvalidInputError(
            f"Version {newest.number} of item {item_id} never passed the checks: dismiss it and refine again"
        )
    guard = guard_report_for(store, newest.id)
    gate = newest.data.get("gate", {})
    secrets = tuple(gate.get("secrets", ()))
    status, reasons = status_for(stored.moderation, guard, services.settings, secrets=secrets,
                                 checked=guard is not None or item.source_id is None)  # fmt: skip
    with store.transaction() as conn:
        for v in pending:
            store.change_version_state(conn, v.id, "active")
        store.change_status(conn, item_id, status, reason=f"accepted version {newest.number}: {'; '.join(reasons)}"[:500],
                            actor=actor or "system")  # fmt: skip
    services.events.emit(
        "gate", item_id=item_id, outcome=status, origin="accept", version_id=newest.id, actor=actor
    )
    return GateResult(store.get_item(item_id), pending[0], store.get_version(newest.id), status, guard,
                      stored.moderation, secrets, reasons)  # fmt: skip


def dismiss_pending(services: Services, item_id: int, *, actor: str) -> list[Version]:
    """Dismiss the item's pending version(s); the current text and status stay as they are."""
    store = services.store
    pending = _pending(store, item_id)
    if not pending:
        raise InvalidInputError(f"Item {item_id} has no pending version to dismiss")
    with store.transaction() as conn:
        for v in pending:
            store.change_version_state(conn, v.id, "dismissed")
    services.events.emit("gate", item_id=item_id, outcome="dismissed", origin="dismiss", actor=actor)
    return [store.get_version(v.id) for v in pending]
