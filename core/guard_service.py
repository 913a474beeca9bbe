"""The guard step of the pipeline: check a stored version, keep the revision, store the claims.

`guard_version` runs `chains.guard.check_post` over the whole project index,
appends the revised text as a new version (origin "guard_revision") when it
differs, saves the report and its claims, and returns the report. A revision
that is no longer a post (only tags or markup, the opening or most of the
content dropped) is replaced by the template writer's post, checked again, or
the report says the item failed (confidence 0, the reason in its notes); see
`chains.guard.integrity`. Setting the
item's status is left to the caller (the pipeline), which also weighs moderation.
"""

from __future__ import annotations

from typing import Any

from chains.guard import GuardReport, check_post
from chains.guard.integrity import settle_revision, template_post
from core.guard_store import save_guard_report
from core.services import Services
from utils.export import plain_post_text

__all__ = ["guard_version", "guard_scores", "needs_review"]


def guard_version(
    services: Services, item_id: int, version_id: int, index: Any, documents: Any = ()
) -> GuardReport:
    """Check one version against the project; store the report (and a revision when it changed)."""
    store = services.store
    version = store.get_version(version_id)
    project_text = "\n".join(f"{d.path}\n{d.text}" for d in documents)
    report = check_post(
        version.text,
        index,
        services.embedder(),
        services.settings,
        services.chain(),
        project_text=project_text,
    )
    settled = settle_revision(  # a revision of only tags, or without its opening, is never kept
        version.text,
        report,
        fallback=lambda: template_post(version.data, services.settings),
        recheck=lambda text: check_post(
            text, index, services.embedder(), services.settings, services.chain(), project_text=project_text
        ),
        name=str((version.data.get("source") or {}).get("name", "")),
    )
    revised_id = None
    if settled.text.strip() and settled.text.strip() != version.text.strip():
        revised = store.add_version(
            item_id,
            plain_post_text(settled.text),
            origin="guard_revision",
            data={
                **version.data,
                "guard": {
                    "confidence": settled.report.confidence,
                    "dropped": list(settled.report.dropped),
                    "integrity": settled.reason,
                },
            },
            parent_id=version_id,
            provider="template" if settled.source == "fallback" else "guard",
        )
        revised_id = revised.id
    save_guard_report(store, version_id, settled.draft_report or report, revised_version_id=revised_id)
    if settled.source == "fallback" and revised_id is not None:
        save_guard_report(store, revised_id, settled.report)
    return settled.report


def guard_scores(report: GuardReport) -> dict[str, float]:
    """The scores the "guard" event carries."""
    return {
        "confidence": float(report.confidence),
        "unsupported_share": round(float(report.unsupported_share), 4),
        "claims": float(sum(1 for c in report.claims if c.verdict != "not_checkable")),
    }


def needs_review(report: GuardReport | None, settings: Any) -> bool:
    """True when the report's confidence is below settings.guard_min_confidence."""
    return report is not None and report.confidence < settings.guard_min_confidence
