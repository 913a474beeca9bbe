"""Rating and refining a stored post; new text is always a new version, nothing is rewritten."""

from __future__ import annotations

from dataclasses import asdict
from typing import cast

from chains.quality import linkedin_fold
from core.auth import User, acting, audit_hook, require, signed_in_name
from core.errors import InvalidInputError
from core.gate import GateResult, ProposedVersion, submit_version
from core.posts.errors import GenerationFailedError, mapped_errors
from core.posts.feedback import rate_item
from core.posts.view import load_post
from core.services import Services
from core.store import ItemStatus, Rating

__all__ = ["rate_version", "refine_post"]


def rate_version(
    services: Services,
    item_id: int,
    version_id: int,
    stars: int,
    comment: str = "",
    user: str = "",
    *,
    by: User | None = None,
) -> Rating:
    """Store a 1-5 star rating (with an optional comment) for one version; see `core.posts.feedback.rate_item`."""
    result = rate_item(services, item_id, version_id, stars=stars, comment=comment, user=user, by=by)
    return cast(Rating, result.rating)  # rate_item always stores one


def refine_post(
    services: Services, item_id: int, instruction: str, *, user: str = "", by: User | None = None
) -> GateResult:
    """Rewrite the current version as instructed; the result passes the gate as a new version (origin "edit")."""
    from chains.generate import make_caption
    from chains.quality import quality_report
    from chains.refine import refine_text

    instruction = instruction.strip()
    if not instruction:
        raise InvalidInputError("Say how to refine the post, e.g. 'shorter, and end with a question'")
    if len(instruction) > 1000:
        raise InvalidInputError("The refine instruction is longer than 1000 characters: shorten it")
    item = services.store.get_item(item_id)
    acting_user = require(acting(by), "post.refine", item)
    user = signed_in_name(by) or user
    if item.status == ItemStatus.REJECTED:
        raise InvalidInputError(
            f"Item {item_id} was rejected; a rejected item is never changed: create a new post"
        )
    current = load_post(services, item_id)
    settings = services.settings
    source = current.version.data.get("source", {}) or {}
    with mapped_errors(), services.events.step("refine", item_id=item_id) as t:
        result = refine_text(
            current.text,
            instruction,
            list(current.passages),
            services.chain(),
            settings,
            brief=current.brief,
            strategy=current.strategy,
            project_name=str(source.get("name", "")),
            item_id=item_id,
        )
        text = result.text.strip()
        if not text:
            raise GenerationFailedError("The refined text came back empty: try another instruction")
        hook = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        report = quality_report(
            text,
            hook,
            current.hashtags,
            current.passages,
            project_name=str(source.get("name", "")),
            length=current.strategy.length,
            fold_chars=settings.fold_chars,
        )
        quality, parts = report.score, report.parts
        data = {
            **current.version.data,
            "hook": hook,
            "caption": make_caption(text, hook),
            "quality": float(quality),
            "quality_parts": {k: float(v) for k, v in parts.items()},
            "quality_reasons": dict(report.reasons),
            "instruction": instruction,
            "model": result.model,
            "attempts": [asdict(a) for a in result.attempts],
            "warnings": list(result.warnings),
            "fold_index": linkedin_fold(text, settings.fold_chars),
            "edited_by": user,
        }
        t.provider = result.provider
        t.scores["quality"] = float(quality)
        t.extra.update(attempts=len(result.attempts), changed=result.changed)
    proposal = ProposedVersion(
        text, "edit", actor=user, data=data, parent_id=current.version.id, provider=result.provider
    )
    return submit_version(services, proposal, item_id=item_id, also=audit_hook(acting_user, "post.refine"))
