"""Core dataclasses as JSON-ready dicts for the API (no logic, no store writes)."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from core.services import Services
from core.store import Item, Version

__all__ = ["item_json", "version_json", "item_detail", "post_summary", "plain"]


def plain(value: Any) -> Any:
    """Dataclasses, tuples and dicts as JSON-able values."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def item_json(item: Item) -> dict[str, Any]:
    """An item's fields."""
    return asdict(item)


def version_json(version: Version, *, with_data: bool = False) -> dict[str, Any]:
    """A version's fields (its data blob only when asked)."""
    out = {k: v for k, v in asdict(version).items() if k != "data"}
    if with_data:
        out["data"] = plain(version.data)
    return out


def _claims(services: Services, version_id: int) -> tuple[list[dict[str, Any]], float | None]:
    from core.guard.store import guard_report_for

    report = guard_report_for(services.store, version_id)
    if report is None:
        return [], None
    claims = [plain(c) for c in report.claims]
    return claims, round(float(report.confidence), 4)


def _moderation(services: Services, item_id: int) -> dict[str, Any] | None:
    from core.moderation.store import latest_moderation

    stored = latest_moderation(services.store, item_id)
    if stored is None:
        return None
    m = stored.moderation
    return {
        "level": m.level,
        "scores": plain(m.scores),
        "reasons": plain(m.reasons),
        "version_id": stored.version_id,
        "created_at": stored.created_at,
    }


def item_detail(services: Services, item_id: int) -> dict[str, Any]:
    """An item with every version, the current version's claims and its latest moderation."""
    store = services.store
    item = store.get_item(item_id)
    versions = store.versions(item_id)
    try:
        current = store.latest_version(item_id)
    except Exception:  # an item whose versions all wait for approval has no current one yet
        current = None
    claims, confidence = _claims(services, current.id) if current else ([], None)
    return {
        "item": item_json(item),
        "current_version_id": current.id if current else None,
        "versions": [version_json(v) for v in versions],
        "claims": claims,
        "guard_confidence": confidence,
        "moderation": _moderation(services, item_id),
    }


def post_summary(services: Services, item_id: int) -> dict[str, Any]:
    """What POST /posts returns: the item, its current version, guard confidence, moderation level, status."""
    detail = item_detail(services, item_id)
    current = next((v for v in detail["versions"] if v["id"] == detail["current_version_id"]), None)
    moderation = detail["moderation"] or {}
    return {
        "item": detail["item"],
        "version": current,
        "guard_confidence": detail["guard_confidence"],
        "moderation_level": moderation.get("level"),
        "status": detail["item"]["status"],
    }
