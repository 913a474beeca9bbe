"""The project index: on-disk cache by content hash, hybrid ranking, kind weights, duplicates removed."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rag import build_index, load_source, retrieve
from rag.index import ProjectIndex, index_key
from rag.lexical import BM25Index, tokenize
from rag.sources import hash_documents
from rag.types import Document, LoadedSource
from tests.fakes import FakeEmbedder


def make_source(*docs: tuple[str, str, str], name: str = "p") -> LoadedSource:
    documents = tuple(Document(kind, path, text) for kind, path, text in docs)
    return LoadedSource(kind="upload", location="test", documents=documents,
                        content_hash=hash_documents(documents), name=name)  # fmt: skip


class CountingEmbedder(FakeEmbedder):
    """FakeEmbedder that also records every text it embedded."""

    def __init__(self):
        super().__init__()
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen.extend(texts)
        return super().embed(texts)


def test_unchanged_project_is_not_embedded_twice(sample_project, settings):
    src = load_source(sample_project, settings)
    embedder = CountingEmbedder()
    first = build_index(src, embedder, settings)
    embedded = embedder.texts_embedded
    assert embedded == len(first) > 0 and not first.from_cache
    folder = settings.data_dir / "index" / index_key(src.content_hash, embedder, 900, 150)
    assert (
        first.folder == folder and (folder / "index.faiss").is_file() and (folder / "chunks.json").is_file()
    )

    again = build_index(load_source(sample_project, settings), embedder, settings)
    assert again.from_cache and embedder.texts_embedded == embedded
    assert again.chunks == first.chunks and again.name == "tinyqueue"
    q = "jobs per second benchmark"
    assert again.search(q, 5) == first.search(q, 5)


def test_changed_content_or_chunk_settings_rebuild(tmp_path, settings):
    embedder = FakeEmbedder()
    src = make_source(("readme", "README.md", "# p\n\nversion one of the project"))
    build_index(src, embedder, settings)
    calls = embedder.calls
    changed = make_source(("readme", "README.md", "# p\n\nversion two of the project"))
    assert not build_index(changed, embedder, settings).from_cache
    assert not build_index(src, embedder, replace(settings, chunk_chars=400)).from_cache
    assert build_index(src, embedder, settings).from_cache
    assert embedder.calls == calls + 2
    assert len(list((settings.data_dir / "index").iterdir())) == 3


def test_a_damaged_cache_is_rebuilt(settings):
    embedder = FakeEmbedder()
    src = make_source(("readme", "README.md", "# p\n\nhello world"))
    first = build_index(src, embedder, settings)
    (first.folder / "index.faiss").write_bytes(b"garbage")
    rebuilt = build_index(src, embedder, settings)
    assert not rebuilt.from_cache and embedder.calls == 2
    assert build_index(src, embedder, settings).from_cache


def test_lexical_match_ranks_first_and_scores_are_sorted(sample_project, settings):
    index = build_index(load_source(sample_project, settings), FakeEmbedder(), settings)
    passages = retrieve(index, "push latency p50 NVMe disk", settings)
    assert 0 < len(passages) <= settings.retrieval_k
    assert passages[0].path == "docs/benchmarks.md"
    assert passages[0].start_line >= 1 and passages[0].location.startswith("docs/benchmarks.md:")
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= p.lexical <= 1 for p in passages)
    assert retrieve(index, "   ", settings) == []
    assert len(retrieve(index, "queue", settings, k=2)) == 2


def _weighted_source() -> LoadedSource:
    return make_source(
        ("readme", "README.md", "Acme supports job priorities and retries with backoff for every queue."),
        ("commit", "commit:1234567", "Add job priorities and retries with backoff to the worker loop."),
        ("changelog", "CHANGELOG.md", "2.0: job priorities, retries with backoff, faster worker startup."),
        ("docs", "docs/other.md", "Unrelated text about installation on Windows and macOS."),
    )


def test_kind_weights_decide_between_equally_relevant_passages(settings):
    index = build_index(_weighted_source(), FakeEmbedder(), settings)
    q = "job priorities retries backoff"
    flat = index.search(q, 3, {"readme": 1, "commit": 1, "changelog": 1})
    assert {p.kind for p in flat} == {"readme", "commit", "changelog"}
    favour_commit = index.search(q, 3, {"readme": 0.2, "commit": 1.0, "changelog": 0.2})
    assert favour_commit[0].kind == "commit"
    favour_readme = index.search(q, 3, {"readme": 1.0, "commit": 0.2, "changelog": 0.2})
    assert favour_readme[0].kind == "readme"
    by_settings = [p.kind for p in retrieve(index, q, settings, k=3)]
    assert by_settings == ["readme", "changelog", "commit"]  # README > changelog > commits by default
    for p in flat:
        assert p.score == pytest.approx(p.score)  # plain floats, JSON-able
        assert isinstance(p.score, float)


def test_lexical_weight_moves_the_ranking(settings):
    index = build_index(_weighted_source(), FakeEmbedder(), settings)
    only_lex = index.search("windows", 4, lexical_weight=1.0)
    assert [p.path for p in only_lex] == ["docs/other.md"]  # zero fused score elsewhere is dropped
    only_dense = index.search("windows", 4, lexical_weight=0.0)
    assert all(p.lexical >= 0 for p in only_dense)


def test_duplicates_are_removed(settings):
    text = "tinyqueue retries failed jobs with exponential backoff up to max_retries times."
    near = text.replace("failed", "broken")  # one word changed: a near-duplicate
    index = build_index(
        make_source(
            ("docs", "docs/a.md", text),
            ("docs", "docs/b.md", text),
            ("docs", "docs/c.md", near),
            ("example", "examples/x.md", "Priorities decide which job runs first in tinyqueue."),
        ),
        FakeEmbedder(),
        settings,
    )
    passages = index.search("retries exponential backoff priorities", 4)
    assert [p.path for p in passages].count("docs/a.md") + [p.path for p in passages].count("docs/b.md") == 1
    assert "docs/c.md" not in [p.path for p in passages]
    assert "examples/x.md" in [p.path for p in passages]


def test_query_vector_and_kind_filter(sample_project, settings):
    index = build_index(load_source(sample_project, settings), FakeEmbedder(), settings)
    q = "scheduled jobs run_at"
    vec = index.embed_queries([q])[0]
    assert index.search(q, 4, query_vector=vec) == index.search(q, 4)
    only_examples = index.search(q, 4, kinds=("example",))
    assert only_examples and {p.kind for p in only_examples} == {"example"}
    vecs = index.vectors([0, 1])
    assert vecs.shape == (2, 64) and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)


def test_empty_index_returns_nothing(settings):
    import faiss

    empty = ProjectIndex([], faiss.IndexFlatIP(64), BM25Index.build([]), FakeEmbedder())
    assert empty.search("anything", 5) == [] and len(empty) == 0


def test_bm25_tokens_and_normalised_scores():
    assert tokenize("Queues in 2.3.0") == ["queue", "2", "3", "0", "2.3.0"]
    bm = BM25Index.build(["the job queue retries jobs", "priorities for queue items", "nothing here"])
    scores = bm.normalised_scores("job retries")
    assert scores[0] > 0.5 and scores[1] == 0 and scores[2] == 0
    assert bm.normalised_scores("queue")[1] > 0  # shared word, lower share of the ideal
    assert bm.normalised_scores("unknownword").max() == 0


def test_large_indexes_store_float16_and_rank_like_exact(sample_project, settings, monkeypatch):
    import faiss

    from rag import index as index_module

    assert isinstance(index_module.new_dense_index(64, 10), faiss.IndexFlatIP)
    assert isinstance(index_module.new_dense_index(64, 20_000), faiss.IndexScalarQuantizer)
    src = load_source(sample_project, settings)
    exact = build_index(src, FakeEmbedder(), settings, use_cache=False)
    monkeypatch.setattr(index_module, "FP16_MIN_CHUNKS", 1)
    half = build_index(src, FakeEmbedder(), settings, use_cache=False)
    assert isinstance(half.faiss_index, faiss.IndexScalarQuantizer)
    for q in ("retries backoff", "install tinyqueue", "jobs per second"):
        a, b = exact.search(q, 5), half.search(q, 5)
        assert [p.path for p in a] == [p.path for p in b]
        assert [p.dense for p in a] == pytest.approx([p.dense for p in b], abs=2e-3)
