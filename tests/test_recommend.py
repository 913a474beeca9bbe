"""Hybrid recommendations and trending over a real SQLite store with a fake embedder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy import sparse

from core.errors import InvalidInputError
from core.recommend import RecommendModel, recommend, trending, trending_scores
from core.services import build_services
from tests.fakes import FakeEmbedder
from tests.seed import seed_item

TEXTS = [
    "python cli tool for static sites and markdown",
    "python cli tool for markdown notes",
    "rust database engine with fast storage",
    "rust storage engine benchmarks",
    "javascript web framework for dashboards",
    "javascript dashboards and charts",
]


@pytest.fixture
def services(settings):
    return build_services(settings, embedder=FakeEmbedder())


def _items(services, created_by=""):
    return [seed_item(services.store, t, title=t[:20], created_by=created_by)[0].id for t in TEXTS]


def test_model_collaborative_signal_and_exclusion():
    # users 0 and 1 agree on items 0-2; user 1 also loved item 3, disliked item 4.
    R = sparse.csr_matrix(np.array([[1, 1, -1, 0, 0], [1, 1, -1, 1, -1], [-1, -1, 1, -1, 1]], dtype=float))
    model = RecommendModel(R, None, np.zeros(5), (1.0, 0.0, 0.0))
    recs = model.recommend(0, k=5)
    assert [i for i, _, _ in recs] == [3, 4]  # rated items 0-2 excluded; item 3 first
    total, parts, used = model.score([0])
    assert used[0] == ("collaborative",)
    assert np.isinf(total[0, :3]).all()


def test_model_cold_start_uses_content_and_trending():
    V = np.eye(4, dtype=np.float32)
    R = sparse.csr_matrix((2, 4))
    model = RecommendModel(R, V, np.array([0.0, 0.0, 0.0, 1.0]))
    recs = model.recommend(0, k=4, extra_profile=V[1])
    _, _, used = model.score([0], V[1])
    assert used[0] == ("content", "trending")
    assert recs[0][0] in (1, 3) and {i for i, _, _ in recs} == {0, 1, 2, 3}
    # No profile at all: trending alone decides.
    assert model.recommend(1, k=1)[0][0] == 3


def test_trending_decays_with_half_life():
    scores = trending_scores(np.array([0, 1]), np.array([0.0, 72.0]), np.array([1.0, 1.0]), 3, 72.0)
    assert scores.tolist() == pytest.approx([1.0, 0.5, 0.0])


def test_recommend_from_store_excludes_rated_and_uses_neighbours(services):
    ids = _items(services)
    store = services.store
    for item in ids[:3]:
        store.add_rating(item, stars=5, user="ana")
        store.add_rating(item, stars=5, user="ben")
    store.add_rating(ids[3], stars=5, user="ben")
    store.add_rating(ids[4], stars=1, user="ben")
    recs = recommend(services, "ana", k=3)
    got = [r.item_id for r in recs.items]
    assert not set(got) & set(ids[:3])
    assert got[0] == ids[3]
    assert "collaborative" in recs.parts_used and not recs.cold_start
    assert recs.items[0].collaborative == pytest.approx(1.0)


def test_cold_start_user_gets_content_and_trending(services):
    ids = _items(services, created_by="cara")
    services.store.add_rating(ids[5], stars=5, user="dan")
    recs = recommend(services, "zoe", k=6)
    assert recs.cold_start and "collaborative" not in recs.parts_used
    assert recs.items[0].item_id == ids[5]  # the only trending item
    # A creator with no ratings gets content from what they wrote.
    own = recommend(services, "cara", k=3)
    assert own.cold_start and "content" in own.parts_used


def test_trending_list_and_bad_input(services):
    ids = _items(services)
    now = datetime.now(UTC)
    services.store.add_rating(ids[2], stars=5, user="a")
    services.store.add_rating(ids[1], liked=1, user="b")
    top = trending(services, k=5, now=now + timedelta(hours=1))
    assert {t.item_id for t in top} == {ids[1], ids[2]}
    assert top[0].score == pytest.approx(1.0)
    with pytest.raises(InvalidInputError):
        recommend(services, "  ")


def test_embeddings_are_cached(services):
    _items(services)
    embedder = services.embedder_override
    recommend(services, "ana")
    calls = embedder.texts_embedded
    recommend(services, "ana")
    assert embedder.texts_embedded == calls == len(TEXTS)
