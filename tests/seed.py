"""Rows for tests that need stored items but test something else (a store query, a chart, a queue).

These write straight through the store's conn-level writers and skip the checks on purpose; every
test of how versions are made goes through `core.gate` (tests/test_gate.py).
"""

from __future__ import annotations

from typing import Any

from core.store import Item, ItemStatus, Store, Version


def _store(store_or_services: Any) -> Store:
    return getattr(store_or_services, "store", store_or_services)


def seed_item(
    store_or_services: Any,
    text: str,
    *,
    kind: str = "post",
    title: str = "",
    source_id: int | None = None,
    data: dict[str, Any] | None = None,
    provider: str = "",
    created_by: str = "",
    status: str = ItemStatus.DRAFT,
) -> tuple[Item, Version]:
    """An item with one active version, stored without checks."""
    store = _store(store_or_services)
    with store.transaction() as conn:
        item_id = store.insert_item(conn, kind, title, source_id, created_by)
        version_id = store.insert_version(conn, item_id, text, data, "generated", None, provider, "active")
        store.change_status(conn, item_id, status, reason="created", actor=created_by or "system")
    return store.get_item(item_id), store.get_version(version_id)


def seed_version(
    store_or_services: Any,
    item_id: int,
    text: str,
    *,
    origin: str = "edit",
    data: dict[str, Any] | None = None,
    parent_id: int | None = None,
    provider: str = "",
    state: str = "active",
) -> Version:
    """Another version of an item, stored without checks."""
    store = _store(store_or_services)
    store.get_item(item_id)
    with store.transaction() as conn:
        version_id = store.insert_version(conn, item_id, text, data, origin, parent_id, provider, state)
    return store.get_version(version_id)


def seed_moderation(
    store_or_services: Any, item_id: int, moderation: Any, *, version_id: int | None = None
) -> Item:
    """Record a moderation decision and set the item's status from its level, without the gate."""
    from core.moderation.store import STATUS_FOR_LEVEL, record_moderation

    store = _store(store_or_services)
    record_moderation(store, moderation, item_id=item_id, version_id=version_id)
    return store.set_status(item_id, STATUS_FOR_LEVEL[moderation.level], reason="seeded moderation")
