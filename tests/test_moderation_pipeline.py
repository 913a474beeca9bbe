"""Moderation inside the pipeline: generate_post stores the decision and sets the status; ratings too."""

from __future__ import annotations

import json

import pytest

from chains.providers import FallbackChain
from chains.types import Brief
from core import review
from core.errors import ExportRefusedError
from core.posts.pipeline import SourceInput, export_item, generate_post, rate_version
from core.services import build_services
from tests.fakes import FakeEmbedder, FakeProvider
from tests.test_pipeline import GOOD_POST

SHOUTING_POST = GOOD_POST.replace(
    "What if your docs rebuilt in 40 ms?", "WHAT IF YOUR DOCS REBUILT IN 40 MS, SERIOUSLY?"
)


@pytest.fixture
def provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def services(settings, provider):
    return build_services(settings, embedder=FakeEmbedder(), chain=FallbackChain([provider]))


def _events(services, step: str) -> list[dict]:
    lines = services.events.path.read_text().splitlines()
    return [e for e in map(json.loads, lines) if e["step"] == step]


def test_generate_post_moderates_the_final_text_and_sets_the_status(services, provider) -> None:
    provider.enqueue(SHOUTING_POST)
    result = generate_post(SourceInput("demo", "lumen"), Brief(topic="incremental builds"), services)
    final_text = services.store.latest_version(result.item_id).text
    assert result.moderation is not None
    stored = review.latest_moderation(services.store, result.item_id)
    assert stored is not None and stored.moderation.level == result.moderation.level
    assert "SERIOUSLY?" in final_text  # a question: the guard keeps it
    assert result.moderation.level == "flagged" and "shouting" in result.moderation.reason_codes()
    assert result.status == services.store.get_item(result.item_id).status == "flagged"
    assert [q.item_id for q in review.list_queue(services.store).items] == [result.item_id]
    [event] = _events(services, "moderation")
    assert event["item_id"] == result.item_id and event["level"] == result.moderation.level
    assert set(event["scores"]) >= {"toxicity", "insult", "hate", "threat", "spam", "personal_data"}


def test_a_rejected_post_is_never_exported(services, provider) -> None:
    provider.enqueue(GOOD_POST)
    result = generate_post(SourceInput("demo", "lumen"), Brief(topic="incremental builds"), services)
    review.reject(services.store, result.item_id, "Ada", "off brand")
    with pytest.raises(ExportRefusedError):
        export_item(services, result.item_id, "linkedin")
    assert services.store.versions(result.item_id)  # kept


def test_rating_comments_are_moderated_and_recorded(services, provider) -> None:
    provider.enqueue(GOOD_POST)
    result = generate_post(SourceInput("demo", "lumen"), Brief(topic="incremental builds"), services)
    rate_version(services, result.item_id, result.version_id, 5, comment="You are a stupid idiot", user="bob")
    rows = services.store.query("SELECT * FROM moderations WHERE subject = 'rating_comment'")
    assert (
        len(rows) == 1 and rows[0]["level"] in ("review_required", "rejected") and rows[0]["actor"] == "bob"
    )
    assert rows[0]["rating_id"] == services.store.ratings(result.item_id)[0].id
    # the post's own decision is unaffected by the comment's
    assert (
        review.latest_moderation(services.store, result.item_id).moderation.level == result.moderation.level
    )
