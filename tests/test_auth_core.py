"""Core functions check the acting user themselves (`by=`) and audit in the action's own transaction."""

from __future__ import annotations

import pytest

from chains.providers import FallbackChain
from chains.types import Brief
from core import auth, review
from core.auth import User
from core.errors import ConflictError, PermissionDeniedError
from core.services import build_services
from tests.fakes import FakeEmbedder, FakeProvider
from tests.seed import seed_item

CAT, KIT = User("cat", ("creator",)), User("kit", ("creator",))
REX, ANA = User("rex", ("reviewer",)), User("ana", ("analyst",))
ROOT = User("root", ("admin",))


@pytest.fixture
def services(settings):
    return build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([FakeProvider()]))


def _held(services, owner: str = "cat", status: str = "flagged") -> int:
    item, _ = seed_item(services, "A post about Lumen.", title="held", created_by=owner, status=status)
    return item.id


def _actions(services, prefix: str) -> list[tuple[str, str]]:
    return [(e.user, e.action) for e in auth.list_audit(services.store, action=prefix)]


def test_review_actions_check_the_reviewer_and_audit_in_the_same_transaction(services) -> None:
    item_id = _held(services)
    with pytest.raises(PermissionDeniedError, match="reviewer or admin"):
        review.approve(services.store, item_id, "cat", by=CAT)
    with pytest.raises(PermissionDeniedError, match="another reviewer"):
        review.approve(services.store, _held(services, owner="rex"), "rex", by=REX)
    result = review.approve(services.store, item_id, "typed name", by=REX)
    assert result.action.reviewer == "rex"  # signed in: the reviewer is who signed in, not a typed name
    assert _actions(services, "review.") == [("rex", "review.approve")]
    other = _held(services)
    with pytest.raises(ConflictError):
        review.reject(services.store, other, "rex", "no", by=REX, expected_status="approved")
    assert _actions(services, "review.") == [("rex", "review.approve")]  # the refused action left no row


def test_single_user_callers_keep_working(services) -> None:
    item_id = _held(services, owner="")
    assert review.send_back(services.store, item_id, "ada", "shorter").action.reviewer == "ada"
    assert _actions(services, "review.") == [("ada", "review.send_back")]


def test_generate_refine_rate_export_restore_check_roles_and_owners(services, sample_project) -> None:
    from core.posts.export import export_items
    from core.posts.feedback import rate_item
    from core.posts.library import restore_version
    from core.posts.pipeline import SourceInput, generate_post
    from core.posts.refine import refine_post

    with pytest.raises(PermissionDeniedError, match="post.create"):
        generate_post(SourceInput("demo", "lumen"), Brief(), services, by=ANA)
    assert services.store.list_items() == []
    result = generate_post(SourceInput("demo", "lumen"), Brief(), services, by=CAT)
    item_id = result.item_id
    assert services.store.get_item(item_id).created_by == "cat"
    assert _actions(services, "post.create") == [("cat", "post.create")]
    with pytest.raises(PermissionDeniedError, match="admin"):
        refine_post(services, item_id, "shorter", by=KIT)
    with pytest.raises(PermissionDeniedError):
        rate_item(services, item_id, None, stars=5, by=ANA)
    rate_item(services, item_id, None, stars=4, by=CAT)
    assert _actions(services, "post.rate") == [("cat", "post.rate")]
    with pytest.raises(PermissionDeniedError):
        restore_version(services, item_id, 1, by=KIT)
    services.store.set_status(item_id, "ready", reason="test")
    with pytest.raises(PermissionDeniedError):
        export_items(services, [item_id], "markdown", by=KIT)
    assert export_items(services, [item_id], "csv", by=ANA).content  # an analyst's report export
    export_items(services, [item_id], "markdown", by=CAT)
    assert ("cat", "post.export") in _actions(services, "post.export")
