"""Review queue and actions on a real SQLite store: everything recorded, nothing deleted."""

from __future__ import annotations

import json

import pytest

from core import review
from core.cli import main as cli_main
from core.errors import ExportRefusedError, InvalidInputError
from core.gate import export_permit
from core.moderation import Moderation, Reason
from core.services import build_services
from core.store import Store
from tests.seed import seed_item, seed_moderation

# Every test here runs on SQLite and on a real PostgreSQL (marked `service`).
pytestmark = pytest.mark.usefixtures("db_backend")

CLEAN = "Herald 2.1 builds the index twice as fast and keeps every version."


def flagged(category: str = "insult", level: str = "flagged", score: float = 0.5) -> Moderation:
    return Moderation(
        level=level,
        scores={"toxicity": 0.2, category: score},
        reasons=(Reason(category, "the bad sentence.", score, "profanity", level),),
        backends_ran=("profanity",),
    )


@pytest.fixture
def services(settings):
    return build_services(settings)


def seed(store: Store, text: str, moderation: Moderation) -> int:
    item, version = seed_item(store, text, title="post")
    seed_moderation(store, item.id, moderation, version_id=version.id)
    return item.id


def test_queue_lists_flagged_and_review_required_with_counts_and_filter(services) -> None:
    store = services.store
    a = seed(store, "First. the bad sentence.", flagged("insult", "flagged"))
    b = seed(store, "Second. the bad sentence.", flagged("spam", "review_required", 0.9))
    seed(store, CLEAN, Moderation(level="approved", scores={"toxicity": 0.01}))
    seed(store, "gone", flagged("hate", "rejected", 0.99))
    queue = review.list_queue(store)
    assert [q.item_id for q in queue.items] == [a, b]
    assert queue.counts == {"flagged": 1, "review_required": 1, "needs_review": 0}
    assert queue.reason_counts == {"insult": 1, "spam": 1}
    assert queue.oldest_wait_s is not None and queue.oldest_wait_s >= 0
    only_spam = review.list_queue(store, reason="spam")
    assert [q.item_id for q in only_spam.items] == [b]
    assert only_spam.counts == queue.counts  # counts describe the whole queue
    segments = review.highlight_segments(queue.items[0].text, queue.items[0].moderation)
    assert ("the bad sentence.", "insult") in segments


def test_low_guard_confidence_items_join_the_queue_with_their_claims(services) -> None:
    from chains.guard.report import Claim, Evidence, GuardReport
    from core.guard.store import save_guard_report

    store = services.store
    item, version = seed_item(store, CLEAN, title="guarded")
    seed_moderation(store, item.id, Moderation(level="approved", scores={}), version_id=version.id)
    claim = Claim(
        CLEAN, 0, len(CLEAN), True, "unsupported", 0.2, (Evidence("index twice", "README.md", 1, 2, 0.3),)
    )
    save_guard_report(store, version.id, GuardReport(claims=(claim,), confidence=0.3, revised_text=CLEAN))
    store.set_status(item.id, "needs_review", reason="guard confidence", actor="guard")
    queue = review.list_queue(store, reason="low_guard_confidence")
    [entry] = queue.items
    assert entry.item_id == item.id and queue.counts["needs_review"] == 1
    assert entry.claims[0].verdict == "unsupported" and entry.claims[0].evidence[0].path == "README.md"


def test_actions_need_a_reviewer_and_are_recorded(services) -> None:
    store = services.store
    item_id = seed(store, "Text. the bad sentence.", flagged())
    with pytest.raises(InvalidInputError, match="reviewer name"):
        review.approve(store, item_id, "  ")
    result = review.approve(store, item_id, "Ada", "fine in context", events=services.events)
    assert result.item.status == "approved"
    [action] = review.review_history(store, item_id)
    assert (action.action, action.reviewer, action.note, action.from_status, action.to_status) == (
        "approve",
        "Ada",
        "fine in context",
        "flagged",
        "approved",
    )
    assert store.status_history(item_id)[-1]["actor"] == "Ada"
    events = [json.loads(line) for line in services.events.path.read_text().splitlines()]
    assert [(e["step"], e["outcome"], e["reviewer"]) for e in events if e["step"] == "review"] == [
        ("review", "approve", "Ada")
    ]
    assert review.list_queue(store).items == ()


def test_edit_and_approve_appends_a_moderated_version(services) -> None:
    store = services.store
    item_id = seed(store, "You are an idiot. the bad sentence.", flagged())
    result = review.edit_and_approve(services, item_id, "Bo", CLEAN, "reworded")
    versions = store.versions(item_id)
    assert [v.origin for v in versions] == ["generated", "reviewer_edit"]
    assert versions[0].text.startswith("You are an idiot")  # the old version is kept
    assert result.item.status == "approved" and result.moderation is not None
    assert result.action.new_version_id == versions[1].id
    history = review.moderation_history(store, item_id)
    assert len(history) == 2 and history[-1].version_id == versions[1].id and history[-1].actor == "Bo"
    with pytest.raises(InvalidInputError, match="empty"):
        review.edit_and_approve(services, item_id, "Bo", "  ")


def test_reject_needs_a_note_keeps_the_item_and_refuses_export(services) -> None:
    from core.posts.export import export_item

    store = services.store
    item_id = seed(store, "Text. the bad sentence.", flagged())
    with pytest.raises(InvalidInputError, match="note"):
        review.reject(store, item_id, "Cy", "")
    review.reject(store, item_id, "Cy", "insulting")
    assert store.get_item(item_id).status == "rejected"
    assert store.versions(item_id)  # never deleted
    with pytest.raises(ExportRefusedError, match="rejected"):
        export_permit(store, item_id)
    with pytest.raises(ExportRefusedError):
        export_item(services, item_id, "markdown")
    with pytest.raises(InvalidInputError, match="stays rejected"):
        review.approve(store, item_id, "Cy")


def test_send_back_leaves_the_queue(services) -> None:
    store = services.store
    item_id = seed(store, "Text. the bad sentence.", flagged("spam", "review_required", 0.9))
    with pytest.raises(InvalidInputError, match="note"):
        review.send_back(store, item_id, "Di", "")
    result = review.send_back(store, item_id, "Di", "please remove the phone number")
    assert result.item.status == "sent_back"
    with pytest.raises(ExportRefusedError, match="sent back.*refine"):
        export_permit(store, item_id)  # a sent-back item waits for its creator's edit
    assert review.list_queue(store).items == ()


def test_the_gate_stores_the_decision_and_sets_the_status(services) -> None:
    from core.gate import NewItem, ProposedVersion, submit_version

    store = services.store
    gated = submit_version(services, ProposedVersion("You are a stupid f*cking idiot.", "generated"),
                           new_item=NewItem(title="t"))  # fmt: skip
    result = gated.moderation
    assert store.get_item(gated.item.id).status == result.level != "approved"
    stored = review.latest_moderation(store, gated.item.id)
    assert stored is not None and stored.moderation.level == result.level
    assert stored.moderation.scores == result.scores


def test_review_cli_list_act_and_export_refused(services, capsys) -> None:
    store = services.store
    a = seed(store, "One. the bad sentence.", flagged())
    b = seed(store, "Two. the bad sentence.", flagged("hate", "review_required", 0.8))
    assert cli_main(["review", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [i["item_id"] for i in listed["items"]] == [a, b]
    assert cli_main(["review", "list", "--reason", "hate"]) == 0
    out = capsys.readouterr().out
    assert f"#{b}" in out and f"#{a}" not in out
    assert cli_main(["review", "approve", "--item", str(a)]) == 2
    assert "reviewer name" in capsys.readouterr().err
    assert cli_main(["review", "approve", "--item", str(a), "--reviewer", "Ed"]) == 0
    assert cli_main(["review", "reject", "--item", str(b), "--reviewer", "Ed", "--note", "hateful"]) == 0
    capsys.readouterr()
    assert cli_main(["export", "--item", str(b), "--format", "markdown"]) == 2
    assert "rejected" in capsys.readouterr().err
    assert cli_main(["review", "history", "--item", str(b), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["action"] == "reject"
