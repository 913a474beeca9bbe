"""The guard with the real MiniLM embedder (slow: loads weights once per session)."""

from __future__ import annotations

import pytest

from chains.guard import check_post, verify_claims

pytestmark = pytest.mark.slow

PROJECT = (
    "tinyqueue is a tiny, dependency-free job queue for Python, backed by SQLite.\n"
    "Jobs are rows in one SQLite file, so a queue survives restarts.\n"
    "Failed jobs are retried up to 3 times with exponential backoff.\n"
    "The project is maintained by Alice Moreau.\n"
)


@pytest.fixture(scope="session")
def minilm():
    from rag.embeddings import load_embedder
    from utils.settings import load_settings

    return load_embedder(load_settings())


def test_real_embedder_separates_supported_from_invented(minilm, settings):
    rows = [
        ("tinyqueue is a small job queue for Python that stores its jobs in SQLite.", PROJECT),  # paraphrase
        ("Failed jobs are retried up to 3 times with exponential backoff.", PROJECT),  # copied
        ("tinyqueue 4.2.0 runs on Kafka and Redis clusters at https://tq.example.io.", PROJECT),  # invented
        ("Jobs are not kept when the queue restarts.", PROJECT),  # negation
    ]
    (para, copied, invented, negated) = verify_claims(rows, minilm, settings)
    assert para[1] == "supported" and copied[1] == "supported"
    assert invented[1] == "unsupported" and invented[0] < 0.1
    assert negated[0] < copied[0]


def test_real_embedder_full_post(minilm, settings):
    draft = (
        "Meet tinyqueue: a dependency-free job queue for Python, backed by SQLite. "
        "It is maintained by Bob Stone and has 40,000 stars. What would you build with it? #python"
    )
    report = check_post(draft, PROJECT, minilm, settings)
    verdicts = [c.verdict for c in report.claims]
    assert verdicts[0] == "supported" and verdicts[1] == "unsupported" and verdicts[-1] == "not_checkable"
    assert "40,000" in report.claims[1].reason or "40000" in report.claims[1].reason
    assert report.confidence < settings.guard_min_confidence
