"""Exporting stored posts (one or several items, every format of `utils.export`), each export logged once.

Every export passes `core.gate.export_permit` first: only ready, approved and flagged items (the
last with a warning, shown and logged) leave Herald; anything else is refused naming the next step.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.auth import User, acting, can, record_audit, require
from core.errors import InvalidInputError
from core.gate import export_permit
from core.posts.feedback import record_item_event
from core.posts.view import load_post
from core.services import Services
from utils.export import EXPORT_FORMATS, ExportRecord, render_export

__all__ = ["ExportResult", "export_record", "build_export", "record_export", "export_item", "export_items"]


@dataclass(frozen=True)
class ExportResult:
    """A file to download or write."""

    filename: str
    mime: str
    content: bytes
    warnings: tuple[str, ...] = ()  # flagged items: say so where the file is handed over


def export_record(services: Services, item_id: int) -> tuple[ExportRecord, str]:
    """The item's current version flattened for export, and the flagged warning; refused unless it passed."""
    permit = export_permit(services.store, item_id)
    view = load_post(services, item_id, permit.version.id)
    source = view.version.data.get("source", {}) or {}
    return ExportRecord(
        item_id=item_id,
        version_id=view.version.id,
        text=view.text,
        title=view.item.title,
        hook=view.hook,
        hashtags=view.hashtags,
        caption=view.caption,
        status=view.item.status,
        quality=view.quality,
        provider=view.provider,
        style=view.brief.style,
        tone=view.brief.tone,
        audience=view.brief.audience,
        source=str(source.get("location", "")),
        created_at=view.version.created_at,
        sources=tuple(p.location for p in view.passages),
    ), permit.warning


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise InvalidInputError(f"Unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


def export_items(
    services: Services, item_ids: list[int], fmt: str, *, record: bool = True, by: User | None = None
) -> ExportResult:
    """Export several items' latest versions (csv or buffer; one item for the other formats).

    `by` needs the creator role on their own items, or the analyst role (report exports).
    """
    _check_format(fmt)
    user = acting(by)
    if not can(user, "report.export"):
        for item_id in item_ids:
            require(user, "post.export", services.store.get_item(item_id))
    if not item_ids:
        raise InvalidInputError("No items to export: give at least one item id")
    if len(item_ids) > 1 and fmt not in ("csv", "buffer"):
        raise InvalidInputError(f"{fmt} exports one item at a time: use --format csv or buffer for several")
    permitted = [export_record(services, i) for i in item_ids]
    records = [r for r, _ in permitted]
    warnings = tuple(w for _, w in permitted if w)
    ext, mime, text = render_export(fmt, records)
    stem = f"herald-{item_ids[0]}" if len(item_ids) == 1 else f"herald-{len(item_ids)}-items"
    suffix = {"notion": "-notion", "buffer": "-buffer"}.get(fmt, "")
    result = ExportResult(f"{stem}{suffix}.{ext}", mime, text.encode("utf-8"), warnings)
    if record:
        with services.store.transaction() as conn:
            for r, warning in permitted:
                record_export(services, r.item_id, fmt, version_id=r.version_id, warning=warning)
                record_audit(
                    conn,
                    user,
                    "post.export",
                    f"item {r.item_id}",
                    {"format": fmt, "version_id": r.version_id},
                )
    return result


def build_export(services: Services, item_id: int, fmt: str, *, by: User | None = None) -> ExportResult:
    """The export file for one item, without logging it (for download buttons shown before a click)."""
    return export_items(services, [item_id], fmt, record=False, by=by)


def record_export(
    services: Services, item_id: int, fmt: str, *, version_id: int | None = None, warning: str = ""
) -> None:
    """Log that an item was exported (its reward signal for the agent), with the flagged warning if any."""
    services.events.emit(
        "export", item_id=item_id, outcome="ok", format=fmt, version_id=version_id, warning=warning
    )
    record_item_event(services, "export", item_id, version_id=version_id)


def export_item(services: Services, item_id: int, fmt: str, *, by: User | None = None) -> ExportResult:
    """Export one item's current version in `fmt` and record an "export" event; refuses what did not pass."""
    return export_items(services, [item_id], fmt, by=by)
