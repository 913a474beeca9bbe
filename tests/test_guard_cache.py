"""The project's sentence vectors are embedded once per index: memory, then disk, never per post."""

from __future__ import annotations

import numpy as np

from chains.guard import check_post
from chains.guard.sentcache import clear_memory, index_sentences
from tests.fakes import FakeEmbedder


def _index(settings, emb, sample_project):
    from rag.index import build_index
    from rag.sources import load_source

    return build_index(load_source(sample_project, settings), emb, settings)


def _true_line(index) -> str:
    readme = next(c for c in index.chunks if c.path.lower() == "readme.md")
    return next(
        ln for ln in readme.text.splitlines() if len(ln.split()) > 8 and not ln.startswith(("#", "-", "|"))
    )


def test_second_post_embeds_only_its_claims(settings, sample_project):
    clear_memory()
    emb = FakeEmbedder()
    index = _index(settings, emb, sample_project)
    draft = f"{_true_line(index)}\n\nIt was rewritten in Rust for version 8.8.8."
    first = check_post(draft, index, emb, settings)
    before = emb.texts_embedded
    second = check_post(draft.replace("Rust", "Go"), index, emb, settings)
    # only the two claim sentences of the new draft, no project sentence
    assert emb.texts_embedded - before == 2
    assert (
        [c.verdict for c in second.claims]
        == [c.verdict for c in first.claims]
        == ["supported", "unsupported"]
    )
    assert first.claims[0].evidence == second.claims[0].evidence


def test_disk_cache_survives_a_new_process_and_a_reloaded_index(settings, sample_project):
    clear_memory()
    emb = FakeEmbedder()
    index = _index(settings, emb, sample_project)
    from chains.guard.evidence import split_with_lines

    store = index_sentences(index, emb, settings.data_dir, split_with_lines)
    assert store.complete and store.embedded > 0
    files = sorted(p.name for p in index.folder.glob("guard-sentences-*"))
    assert files == ["guard-sentences-fake-hashing.json", "guard-sentences-fake-hashing.npy"]
    clear_memory()  # as a new process would start
    emb2 = FakeEmbedder()
    reloaded = _index(settings, emb2, sample_project)
    assert reloaded.from_cache
    again = index_sentences(reloaded, emb2, settings.data_dir)
    assert again.complete and again.embedded == 0 and emb2.texts_embedded == 0
    texts = list(store.cache)[:5]
    assert np.allclose(again.vectors(texts), store.vectors(texts))
    report = check_post(_true_line(reloaded), reloaded, emb2, settings)
    assert report.claims[0].verdict == "supported"
    assert emb2.texts_embedded == 1  # the one claim sentence


def test_single_sentence_chunks_reuse_their_faiss_vectors(settings, sample_project):
    clear_memory()
    emb = FakeEmbedder()
    index = _index(settings, emb, sample_project)
    from chains.guard.evidence import split_with_lines

    singles = [
        i
        for i, c in enumerate(index.chunks)
        if [s.text for s in split_with_lines(c.text, c.path)] == [c.text]
    ]
    store = index_sentences(index, emb, settings.data_dir, split_with_lines)
    for i in singles:
        assert np.allclose(store.cache[index.chunks[i].text], index.vectors([i])[0], atol=1e-5)


def test_a_corrupt_cache_file_is_rebuilt_not_fatal(settings, sample_project):
    clear_memory()
    emb = FakeEmbedder()
    index = _index(settings, emb, sample_project)
    from chains.guard.evidence import split_with_lines

    index_sentences(index, emb, settings.data_dir, split_with_lines)
    (index.folder / "guard-sentences-fake-hashing.json").write_text("{not json", encoding="utf-8")
    clear_memory()
    store = index_sentences(index, emb, settings.data_dir, split_with_lines)
    assert store.complete and store.embedded > 0
