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
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from core.errors import ConflictError, ExportRefusedError, InvalidInputError
from core.services import Services
from core.store import VERSION_ORIGINS, Item, ItemStatus, Store, Version

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

LOG = logging.getLogger(__name__)
EXPORTABLE_STATUSES = (ItemStatus.READY, ItemStatus.APPROVED, ItemStatus.FLAGGED)
REVIEW_APPROVE_HINT = (
    "approve it on the Review page or with `python -m core review approve --item {id} --reviewer NAME`"
)


@dataclass(frozen=True)
class ProposedVersion:
    """A version someone wants to add: the text and where it came from."""

    text: str
    origin: str  # one of core.store.VERSION_ORIGINS
    actor: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    parent_id: int | None = None
    provider: str = ""
    pending: bool = False  # True: stored as pending (an improvement); accept_pending makes it current


@dataclass(frozen=True)
class NewItem:
    """The item a first version creates."""

    kind: str = "post"
    title: str = ""
    source_id: int | None = None
    created_by: str = ""


@dataclass(frozen=True)
class ProjectContext:
    """What the guard checks claims against: the project's index and documents."""

    index: Any
    documents: tuple[Any, ...] = ()


@dataclass(frozen=True)
class GateResult:
    """What the gate decided and stored for one proposed version."""

    item: Item
    proposed: Version  # the version as proposed
    current: Version  # the version now current (the guard's revision when it made one) or pending
    status: str
    guard: Any = None  # chains.guard GuardReport, None when there was no project to check against
    moderation: Any = None  # core.moderation Moderation of the current text
    secrets: tuple[str, ...] = ()  # kinds of secrets found in the text (it is then rejected)
    reasons: tuple[str, ...] = ()  # why the status is what it is, in words
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportPermit:
    """May this item leave Herald, and with what warning."""

    item: Item
    version: Version
    warning: str = ""


# --- the project a version is checked against ----------------------------------------------
def project_for_item(services: Services, item: Item) -> ProjectContext | None:
    """The cached project index of the item's source, loading the source again if needed; None if gone."""
    from rag.index import load_cached_index

    if item.source_id is None:
        return None
    try:
        source = services.store.get_source(item.source_id)
    except Exception:
        return None
    embedder = services.embedder()
    index = load_cached_index(source["content_hash"], embedder, services.settings)
    if index is not None:
        return ProjectContext(index, ())
    if source["kind"] not in ("local", "url", "demo"):
        return None  # uploads are deleted once read
    try:
        from rag.index import build_index
        from rag.sources import load_source

        loaded = load_source(source["location"], services.settings, kind=source["kind"])
        return ProjectContext(build_index(loaded, embedder, services.settings), tuple(loaded.documents))
    except Exception as exc:  # the folder moved, the network is down: the guard says so
        LOG.info("project of item %s not reloaded: %s", item.id, exc)
        return None


# --- deciding ---------------------------------------------------------------------------------
def status_for(
    moderation: Any,
    guard: Any,
    settings: Any,
    *,
    secrets: tuple[str, ...] = (),
    checked: bool = True,
    broken: str = "",
) -> tuple[str, tuple[str, ...]]:
    """The status a version's checks give it, with the reasons in words (one owner of this rule)."""
    from core.moderation.store import STATUS_FOR_LEVEL

    if secrets:
        return ItemStatus.REJECTED, (f"the text holds a secret ({', '.join(secrets)}): remove it",)
    status = STATUS_FOR_LEVEL[moderation.level]
    codes = ", ".join(moderation.reason_codes())
    reasons = [f"moderation: {codes or 'no concerns'}"]
    if broken:
        return ItemStatus.REVIEW_REQUIRED if status != ItemStatus.REJECTED else status, (
            *reasons,
            f"guard: {broken}",
        )
    if status == ItemStatus.READY:
        if not checked:
            return ItemStatus.NEEDS_REVIEW, (*reasons, "guard: the project is not available to check claims")
        if guard is not None and guard.confidence < settings.guard_min_confidence:
            why = f"guard confidence {guard.confidence:.2f} < {settings.guard_min_confidence:.2f}"
            return ItemStatus.NEEDS_REVIEW, (*reasons, why)
    return status, tuple(reasons)


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
        settled = _check(services, proposal, project)
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
        final_text, settings, guard=guard, project_hosts=_project_hosts(project, proposal.data)
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


def _check(services: Services, proposal: ProposedVersion, project: ProjectContext) -> Any:
    """The guard's report on the proposal, settled: its revision, a checked template post, or a failure.

    A revision that would leave only tags or markup, or lose the opening or most of the post, is never
    kept (chains.guard.integrity): the template writer's post from the same passages is checked again
    instead, and when that fails too the item goes to review with the reason.
    """
    from chains.guard.integrity import settle_revision, template_post
    from core.cache import cached_check

    settings = services.settings
    project_text = "\n".join(f"{d.path}\n{d.text}" for d in project.documents)

    def recheck(text: str) -> Any:
        return cached_check(text, project.index, services.embedder(), settings, services.chain(),
                            project_text=project_text)  # fmt: skip

    name = str((proposal.data.get("source") or {}).get("name", ""))
    has_passages = bool(proposal.data.get("passages"))
    return settle_revision(
        proposal.text,
        recheck(proposal.text),
        fallback=(lambda: template_post(proposal.data, settings, project_name=name))
        if has_passages
        else None,
        recheck=recheck,
        name=name,
    )


def _project_hosts(project: ProjectContext | None, data: dict[str, Any]) -> tuple[str, ...]:
    """Hosts the project's own files link to (its repository, docs, homepage): links to them are fine."""
    from core.moderation import project_hosts_from

    texts = [str((data.get("source") or {}).get("location", ""))]
    texts += [str(p.get("text", "")) for p in data.get("passages", ()) or () if isinstance(p, dict)]
    if project is not None:
        texts += [d.text for d in project.documents] or [c.text for c in getattr(project.index, "chunks", ())]
    return project_hosts_from(texts)


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
