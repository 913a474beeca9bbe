"""The real all-MiniLM-L6-v2 embedder on the sample project (slow: loads real weights once)."""

from __future__ import annotations

import numpy as np
import pytest

from rag import build_index, load_embedder, load_source, retrieve
from rag.embeddings import MINILM_DIM, Embedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def minilm():
    from utils.settings import load_settings

    return load_embedder(load_settings())


def test_minilm_vectors_are_normalised_and_cached(minilm, settings):
    assert isinstance(minilm, Embedder) and minilm.dim == MINILM_DIM
    assert load_embedder(settings) is minilm  # one model per path, process-wide
    vecs = minilm.embed(["a job queue backed by SQLite", "SQLite-backed job queue", "a recipe for bread"])
    assert vecs.dtype == np.float32 and vecs.shape == (3, MINILM_DIM)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2
    assert minilm.embed([]).shape == (0, MINILM_DIM)


def test_real_index_on_the_sample_project(minilm, sample_project, settings):
    src = load_source(sample_project, settings)
    index = build_index(src, minilm, settings)
    assert not index.from_cache
    passages = retrieve(index, "How fast is it? throughput in jobs per second", settings)
    assert passages and any("4,800" in p.text for p in passages[:2])
    assert passages[0].dense > 0.2
    retry = retrieve(index, "what happens when a task raises an exception", settings, k=3)
    assert any(p.path == "docs/guide.md" and "retried" in p.text for p in retry)
    again = build_index(load_source(sample_project, settings), minilm, settings)
    assert again.from_cache and again.search("install", 3) == index.search("install", 3)
