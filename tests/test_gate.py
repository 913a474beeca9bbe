"""One gate for every new version, exports only of what passed (issue 12).

Every way a version can be made — generated, guard revision, refinement, reviewer edit, restore,
accepted improvement, storyboard from a post, storyboard edit, accepted storyboard improvement —
goes through `core.gate.submit_version`; the item is exportable exactly when the gate's status
allows it. Real SQLite, real moderation, the real guard over a FAISS index of the sample
project (fake embedder and a fake writer only).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chains.providers import FallbackChain
from chains.types import Brief
from core import review
from core.errors import ConflictError, ExportRefusedError, InvalidInputError, NotFoundError
from core.gate import (
    EXPORTABLE_STATUSES,
    NewItem,
    ProposedVersion,
    export_permit,
    submit_version,
)
from core.moderation.store import latest_version_moderation
from core.posts.export import export_item
from core.posts.feedback import rate_item
from core.posts.library import resolve_improvement, restore_version
from core.posts.pipeline import DEMO_SOURCES, generate_post
from core.posts.refine import refine_post
from core.services import build_services
from core.store import ItemStatus, Store
from core.video.items import prepare_video, save_storyboard
from tests.fakes import FakeEmbedder, FakeProvider

ROOT = Path(__file__).resolve().parent.parent
LUMEN = DEMO_SOURCES["lumen"].path
GOOD_POST = (
    "Lumen is a static-site generator for documentation and small blogs, written in Rust. "
    "Search works without a server: lumen build writes a compact search index next to the pages.\n\n"
    "Try it with cargo install lumen-ssg. What would you publish with it?"
)
AWS_LINE = "Deploy with AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY set."


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider(default=GOOD_POST)


@pytest.fixture
def services(settings, provider):
    return build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([provider]))


def _events(services, step: str) -> list[dict]:
    path = services.events.path
    rows = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [e for e in rows if e["step"] == step]


def _post(services, provider) -> int:
    provider.enqueue(GOOD_POST)
    return generate_post(LUMEN, Brief(), services, created_by="ana").item_id


def _assert_gated(services, item_id: int) -> None:
    """The current version was moderated and logged by the gate, and exportability follows the status."""
    store = services.store
    current = store.latest_version(item_id)
    assert latest_version_moderation(store, current.id) is not None, current
    assert current.data.get("gate") or store.get_version(current.parent_id).data.get("gate")
    status = store.get_item(item_id).status
    if status in EXPORTABLE_STATUSES:
        assert export_permit(store, item_id).version.id == current.id
    else:
        with pytest.raises(ExportRefusedError):
            export_permit(store, item_id)


def test_every_origin_of_a_version_passes_the_gate(services, provider):
    post = _post(services, provider)
    _assert_gated(services, post)  # generated (and the guard's revision, when it made one)
    provider.enqueue(GOOD_POST.replace("What would you publish", "What will you build"))
    refine_post(services, post, "end with another question", user="ana")
    _assert_gated(services, post)  # refinement
    restore_version(services, post, 1, actor="ana")
    _assert_gated(services, post)  # restore
    provider.enqueue(GOOD_POST.replace("Try it with", "Start with"))
    feedback = rate_item(services, post, None, stars=1, comment="say how to start", user="ana")
    assert feedback.improvement is not None and feedback.improvement.state == "pending"
    resolve_improvement(services, post, True, actor="ana")
    _assert_gated(services, post)  # accepted improvement
    if services.store.get_item(post).status in (ItemStatus.READY, ItemStatus.APPROVED, ItemStatus.FLAGGED):
        video = prepare_video(services, post_item_id=post)
        _assert_gated(services, video.item_id)  # storyboard from a post
        from core.video.storyboard import storyboard_from_text

        board = storyboard_from_text(
            "Lumen writes a search index.\nTry cargo install lumen-ssg.", services.settings
        )
        save_storyboard(services, video.item_id, board)
        _assert_gated(services, video.item_id)  # storyboard edit
    held = submit_version(services, ProposedVersion("Our release notes. This bug was a damn nightmare.",
                                                    "generated"), new_item=NewItem(title="held"))  # fmt: skip
    assert held.status in (ItemStatus.FLAGGED, ItemStatus.REVIEW_REQUIRED)
    review.edit_and_approve(services, held.item.id, "Rae", "Our release notes fix the slow rebuild bug.")
    _assert_gated(services, held.item.id)  # reviewer edit
    origins = {v.origin for i in (post, held.item.id) for v in services.store.versions(i)}
    assert {"generated", "edit", "restore", "improvement", "reviewer_edit"} <= origins
    assert len(_events(services, "gate")) >= 6


def test_a_review_required_item_is_not_exported_and_the_refusal_names_the_next_step(services):
    held = submit_version(services, ProposedVersion("Email me at jane.doe@corp.com for details. Big news!",
                                                    "generated"), new_item=NewItem(title="held"))  # fmt: skip
    assert held.status in (ItemStatus.REVIEW_REQUIRED, ItemStatus.FLAGGED)
    if held.status == ItemStatus.FLAGGED:
        assert "flagged" in export_permit(services.store, held.item.id).warning
        return
    with pytest.raises(ExportRefusedError, match=r"waits for review: .*python -m core review approve"):
        export_item(services, held.item.id, "linkedin")
    out = subprocess.run(
        [sys.executable, "-m", "core", "export", "--item", str(held.item.id), "--format", "linkedin"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 2 and "waits for review" in out.stderr and out.stdout == ""


def test_approval_holds_for_the_approved_text_only(services, provider):
    post = _post(services, provider)
    store = services.store
    item = store.get_item(post)
    review.approve(store, post, "Rae", "fine", expected_status=item.status)
    assert store.get_item(post).status == ItemStatus.APPROVED
    provider.enqueue(GOOD_POST.replace("What would you publish", "Which site would you build"))
    gated = refine_post(services, post, "another closing question", user="ana")
    assert gated.status != ItemStatus.APPROVED and store.get_item(post).status == gated.status


def test_send_back_goes_to_the_creator_and_the_next_version_comes_back_to_review(services, provider):
    post = _post(services, provider)
    store = services.store
    review.send_back(store, post, "Rae", "mention the search index")
    with pytest.raises(ExportRefusedError, match="sent back"):
        export_permit(store, post)
    provider.enqueue(GOOD_POST + " The search index needs no server.")
    gated = refine_post(services, post, "mention the search index", user="ana")
    assert gated.status == ItemStatus.REVIEW_REQUIRED
    assert post in [q.item_id for q in review.list_queue(store).items]
    history = review.review_history(store, post)
    assert [(a.action, a.reviewer, a.note) for a in history] == [
        ("send_back", "Rae", "mention the search index")
    ]


def test_a_clean_resubmission_after_send_back_still_goes_to_the_reviewer(services):
    first = submit_version(services, ProposedVersion("Herald writes posts. It checks every claim.", "generated"),
                           new_item=NewItem(title="clean"))  # fmt: skip
    review.send_back(services.store, first.item.id, "Rae", "say what it checks claims against")
    again = submit_version(
        services,
        ProposedVersion("Herald writes posts and checks every claim against the project's files.", "edit"),
        item_id=first.item.id,
    )
    assert again.status == ItemStatus.REVIEW_REQUIRED and "resubmitted" in " ".join(again.reasons)


def test_two_reviewers_at_once_one_wins_the_other_is_told(services):
    held = submit_version(services, ProposedVersion("Our release notes. This bug was a damn nightmare.",
                                                    "generated"), new_item=NewItem(title="held"))  # fmt: skip
    store, seen = services.store, {"expected_status": held.status, "version_id": held.current.id}
    review.approve(store, held.item.id, "Rae", **seen)
    with pytest.raises(ConflictError, match="changed meanwhile"):
        review.reject(store, held.item.id, "Sam", "no", **seen)
    assert store.get_item(held.item.id).status == ItemStatus.APPROVED
    assert [a.reviewer for a in review.review_history(store, held.item.id)] == ["Rae"]


def test_a_toxic_reviewer_edit_is_not_approved(services):
    held = submit_version(services, ProposedVersion("Our release notes. This bug was a damn nightmare.",
                                                    "generated"), new_item=NewItem(title="held"))  # fmt: skip
    result = review.edit_and_approve(services, held.item.id, "Rae", "You are a stupid f*cking idiot.")
    assert result.item.status != ItemStatus.APPROVED
    assert "not approved by its checks" in result.action.note
    assert services.store.versions(held.item.id)[0].text.startswith("Our release notes")  # nothing lost


def test_a_post_holding_a_secret_is_rejected_with_the_reason(services):
    gated = submit_version(services, ProposedVersion(f"Lumen is fast. {AWS_LINE}", "generated"),
                           new_item=NewItem(title="leak"))  # fmt: skip
    assert gated.status == ItemStatus.REJECTED and gated.secrets
    assert "secret" in gated.reasons[0]
    with pytest.raises(ExportRefusedError, match="rejected"):
        export_permit(services.store, gated.item.id)


def test_bad_input_is_refused_and_nothing_is_lost(services, provider):
    post = _post(services, provider)
    other = _post(services, provider)
    store = services.store
    with pytest.raises(NotFoundError):
        export_item(services, 9999, "markdown")
    n = len(store.versions(post))
    with pytest.raises(InvalidInputError, match="has no version"):
        restore_version(services, post, len(store.versions(other)) + 5)
    review.reject(store, other, "Rae", "off topic")
    with pytest.raises(InvalidInputError, match="rejected"):
        refine_post(services, other, "shorter")
    with pytest.raises(InvalidInputError, match="origin"):
        submit_version(services, ProposedVersion("x", "magic"), item_id=post)
    assert len(store.versions(post)) == n


def test_nothing_but_the_gate_writes_versions():
    writers = []
    for path in [*ROOT.glob("core/**/*.py"), *ROOT.glob("pages/**/*.py"), *ROOT.glob("api/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"\.insert_version\(|INSERT INTO versions|\.insert_item\(", text):
            writers.append(str(path.relative_to(ROOT)))
    assert sorted(writers) == ["core/gate/submit.py", "core/store.py"]


def test_two_processes_opening_a_new_database_migrate_it_once(tmp_path):
    db = tmp_path / "race.db"
    code = f"from core.store import Store; import sys; s = Store.open({str(db)!r}); print(len(s.applied_migrations()))"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]  # fmt: skip
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    names = Store.open(db).applied_migrations()
    assert len(names) == len(set(names)) and {int(o) for o, _ in outs} == {len(names)}
