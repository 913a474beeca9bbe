"""What the gate decides from: the project of an item, the guard settled on a proposal, the status rule."""

from __future__ import annotations

import logging
from typing import Any

from core.gate.types import ProjectContext, ProposedVersion
from core.services import Services
from core.store import Item, ItemStatus

LOG = logging.getLogger(__name__)


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


def settled_check(services: Services, proposal: ProposedVersion, project: ProjectContext) -> Any:
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


def project_hosts(project: ProjectContext | None, data: dict[str, Any]) -> tuple[str, ...]:
    """Hosts the project's own files link to (its repository, docs, homepage): links to them are fine."""
    from core.moderation import project_hosts_from

    texts = [str((data.get("source") or {}).get("location", ""))]
    texts += [str(p.get("text", "")) for p in data.get("passages", ()) or () if isinstance(p, dict)]
    if project is not None:
        texts += [d.text for d in project.documents] or [c.text for c in getattr(project.index, "chunks", ())]
    return project_hosts_from(texts)
