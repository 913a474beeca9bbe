"""`submit_version`: check a proposed version and store it with its reports and status in one transaction."""

from __future__ import annotations

import time
from typing import Any

from core.errors import ConflictError, InvalidInputError
from core.gate.checks import project_for_item, project_hosts, settled_check, status_for
from core.gate.types import GateResult, NewItem, ProjectContext, ProposedVersion
from core.services import Services
from core.store import VERSION_ORIGINS, Item, ItemStatus, Store


def _check_origin(proposal: ProposedVersion) -> None:
    if proposal.origin not in VERSION_ORIGINS:
        raise InvalidInputError(f"Unknown version origin {proposal.origin!r}; use one of {VERSION_ORIGINS}")
    if not proposal.text.strip():
        raise InvalidInputError("The new version is empty: write some text first")


def _emit(services: Services, step: str, item_id: int, ms: float, **fields: Any) -> None:
    services.events.emit(step, item_id=item_id, latency_ms=ms, **fields)


def submit_version(
    services: Services,
    proposal: ProposedVersion,
    *,
    item_id: int | None = None,
    new_item: NewItem | None = None,
    project: ProjectContext | None = None,
    approve_as: str = "",
    expected_status: str | None = None,
    run_id: str = "",
    progress: Any = None,
    also: Any = None,
) -> GateResult:
    """Check a proposed version and store it with its reports and the item's new status, atomically.

    `item_id` adds to an item, `new_item` creates one. `project` is what the guard checks
    against (looked up from the item's source when not given). `approve_as` (a reviewer)
    approves the text when its checks allow it; `expected_status` refuses the change when
    someone else changed the item meanwhile. `also(conn, item_id, version_id, status, reasons)` writes
    a caller's row (a review) inside the same transaction.
    """
    from core.cache import cached_moderate
    from core.guard.store import save_guard_report
    from core.moderation.store import record_moderation
    from rag.redact import find_secrets
    from utils.export import plain_post_text

    _check_origin(proposal)
    store, settings = services.store, services.settings
    item = None
    if item_id is not None:
        item = store.get_item(item_id)
        if item.status == ItemStatus.REJECTED:
            raise InvalidInputError(
                f"Item {item_id} was rejected; a rejected item is never changed: create a new post"
            )
        if project is None:
            project = project_for_item(services, item)
    elif new_item is None:
        raise InvalidInputError("Say which item the version belongs to")
    timings: dict[str, float] = {}

    def stage(name: str, share: float) -> float:
        if progress is not None:
            progress(name, share)
        return time.perf_counter()

    start = stage("guard", 0.0)
    secrets = tuple(sorted({f.kind for f in find_secrets(proposal.text)}))
    if "[REDACTED" in proposal.text:  # a writer copied a marker left where a source held a secret
        secrets = (*secrets, "redacted secret")
    guard = draft_report = settled = None
    if project is not None:
        settled = settled_check(services, proposal, project)
        guard, draft_report = settled.report, settled.draft_report or settled.report
    timings["guard"] = (time.perf_counter() - start) * 1000
    broken = settled.reason if settled is not None and settled.source == "failed" else ""
    revised = ""
    if (
        settled is not None
        and settled.source in ("revision", "fallback")
        and settled.text.strip() != proposal.text.strip()
    ):
        revised = plain_post_text(settled.text)
    final_text = revised or proposal.text
    start = stage("moderation", 0.5)
    moderation = cached_moderate(
        final_text, settings, guard=guard, project_hosts=project_hosts(project, proposal.data)
    )
    timings["moderation"] = (time.perf_counter() - start) * 1000
    source_id = item.source_id if item is not None else (new_item.source_id if new_item else None)
    checked = project is not None or source_id is None  # a typed script has no project to check against
    status, reasons = status_for(moderation, guard, settings, secrets=secrets, checked=checked, broken=broken)
    if (
        item is not None
        and item.status == ItemStatus.SENT_BACK
        and status in (ItemStatus.READY, ItemStatus.NEEDS_REVIEW, ItemStatus.FLAGGED)
        and not approve_as
    ):
        status, reasons = (
            ItemStatus.REVIEW_REQUIRED,
            (*reasons, "resubmitted after the reviewer sent it back"),
        )
    if approve_as and status not in (ItemStatus.REJECTED,) and not secrets:
        status, reasons = ItemStatus.APPROVED, (*reasons, f"approved by {approve_as}")
    actor = proposal.actor or "system"
    state = "pending" if proposal.pending else "active"
    with store.transaction() as conn:
        if item is None:
            assert new_item is not None
            item, _ = _create_item(store, conn, new_item, status)
        elif expected_status is not None:
            now = store.get_item(item.id).status
            if now != expected_status:
                raise ConflictError(
                    f"Item {item.id} changed meanwhile (it is now {now}): reload it and act again"
                )
        proposed_id = store.insert_version(
            conn, item.id, proposal.text, {**proposal.data, "gate": _gate_data(status, reasons, secrets)},
            proposal.origin, proposal.parent_id, proposal.provider, state, actor,
        )  # fmt: skip
        current_id = proposed_id
        if revised:
            assert settled is not None and guard is not None
            fallback = settled.source == "fallback"
            data = {
                **proposal.data,
                "guard": {
                    "confidence": guard.confidence,
                    "dropped": list(guard.dropped),
                    "integrity": settled.reason,
                },
            }
            current_id = store.insert_version(conn, item.id, revised, data, "guard_revision", proposed_id,
                                              "template" if fallback else "guard", state, "guard")  # fmt: skip
        if draft_report is not None:
            save_guard_report(
                store, proposed_id, draft_report, revised_version_id=current_id if revised else None
            )
            if revised and settled is not None and settled.source == "fallback":
                save_guard_report(store, current_id, settled.report)
        record_moderation(store, moderation, item_id=item.id, version_id=current_id, actor=actor)
        if not proposal.pending:
            store.change_status(conn, item.id, status, reason=f"{proposal.origin}: {'; '.join(reasons)}"[:500],
                                actor=approve_as or actor)  # fmt: skip
        if also is not None:
            also(conn, item.id, current_id, status, reasons)
    item = store.get_item(item.id)
    proposed, current = store.get_version(proposed_id), store.get_version(current_id)
    _emit_checks(services, item.id, guard, moderation, timings, run_id, proposal.origin)
    services.events.emit(
        "gate", item_id=item.id, outcome=status, origin=proposal.origin, version_id=current.id,
        pending=proposal.pending, secrets=list(secrets), actor=actor, run_id=run_id,
    )  # fmt: skip
    if progress is not None:
        progress("status", 1.0)
    return GateResult(item, proposed, current, status, guard, moderation, secrets, reasons, timings)


def _gate_data(status: str, reasons: tuple[str, ...], secrets: tuple[str, ...]) -> dict[str, Any]:
    return {"status": status, "reasons": list(reasons), "secrets": list(secrets)}


def _create_item(store: Store, conn: Any, new_item: NewItem, status: str) -> tuple[Item, int]:
    item_id = store.insert_item(conn, new_item.kind, new_item.title, new_item.source_id, new_item.created_by)
    return store.get_item(item_id), item_id


def _emit_checks(
    services: Services,
    item_id: int,
    guard: Any,
    moderation: Any,
    timings: dict[str, float],
    run_id: str,
    origin: str,
) -> None:
    if guard is not None:
        from core.guard.service import guard_scores

        _emit(services, "guard", item_id, timings.get("guard", 0.0), scores=guard_scores(guard),
              revised=bool(guard.changed), dropped=len(guard.dropped), run_id=run_id, origin=origin)  # fmt: skip
    _emit(services, "moderation", item_id, timings.get("moderation", 0.0),
          provider="+".join(moderation.backends_ran), scores=dict(moderation.scores), level=moderation.level,
          reasons=list(moderation.reason_codes()), fallbacks=list(moderation.fallbacks), run_id=run_id,
          origin=origin)  # fmt: skip
