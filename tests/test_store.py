"""Store: migrations, append-only versions, ratings validation, concurrent writers."""

import threading

import pytest

from core.errors import InvalidInputError, NotFoundError
from core.store import Store
from tests.seed import seed_item, seed_version


@pytest.fixture
def store(tmp_path, db_backend, settings):
    """A migrated store on each backend: the SQLite file, then a fresh PostgreSQL database."""
    return Store.open(settings.database_target)


def test_migrations_apply_once(store, settings):
    assert "0001_base" in store.applied_migrations()
    again = Store.open(settings.database_target)
    assert again.migrate() == []
    assert again.applied_migrations() == store.applied_migrations()


def test_versions_are_appended_never_rewritten(store):
    item, v1 = seed_item(store, "first draft", title="t")
    v2 = seed_version(store, item.id, "second", origin="edit", parent_id=v1.id)
    assert (v1.number, v2.number) == (1, 2)
    assert store.get_version(v1.id).text == "first draft"
    assert [v.text for v in store.versions(item.id)] == ["first draft", "second"]
    assert store.latest_version(item.id).id == v2.id


def test_pending_versions_do_not_replace_active(store):
    item, v1 = seed_item(store, "approved text")
    pending = seed_version(store, item.id, "improved", origin="improvement", state="pending")
    assert store.latest_version(item.id).id == v1.id
    assert store.latest_version(item.id, include_pending=True).id == pending.id
    with store.transaction() as conn:
        store.change_version_state(conn, pending.id, "active")
    assert store.latest_version(item.id).id == pending.id


def test_nested_transactions_join_the_outer_one(store):
    item, _ = seed_item(store, "x")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        store.change_status(conn, item.id, "ready")
        with store.transaction() as inner:
            store.change_status(inner, item.id, "approved")
        raise RuntimeError("roll back both")
    assert store.get_item(item.id).status == "draft"


def test_a_parent_of_another_item_is_refused(store):
    a, va = seed_item(store, "a")
    b, _ = seed_item(store, "b")
    with pytest.raises(InvalidInputError, match="does not belong"):
        seed_version(store, b.id, "c", parent_id=va.id)


def test_unknown_origin_is_refused(store):
    item, _ = seed_item(store, "x")
    with pytest.raises(InvalidInputError, match="origin"):
        seed_version(store, item.id, "y", origin="magic")


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_rating_out_of_range(store, stars):
    item, v = seed_item(store, "x")
    with pytest.raises(InvalidInputError, match="1 to 5"):
        store.add_rating(item.id, version_id=v.id, stars=stars)


def test_rating_for_missing_item(store):
    with pytest.raises(NotFoundError):
        store.add_rating(999, stars=3)


def test_status_changes_are_recorded(store):
    item, _ = seed_item(store, "x")
    store.set_status(item.id, "needs_review", reason="low confidence", actor="guard")
    history = store.status_history(item.id)
    assert [h["status"] for h in history] == ["draft", "needs_review"]
    assert history[-1]["actor"] == "guard"


def test_two_connections_rate_at_once_nothing_lost(store, settings):
    a, b = store, Store.open(settings.database_target)
    item, v = seed_item(a, "x")

    def rate(store, n):
        for _ in range(n):
            store.add_rating(item.id, version_id=v.id, stars=4)

    threads = [threading.Thread(target=rate, args=(s, 25)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(a.ratings(item.id)) == 50
