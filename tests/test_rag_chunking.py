"""Chunking keeps paths and exact 1-based line ranges, respects the size, and overlaps by whole lines."""

from __future__ import annotations

from itertools import pairwise

import pytest

from rag.chunking import chunk_document, chunk_documents
from rag.sources import load_source
from rag.types import Document


def _long_markdown() -> str:
    parts = ["# Title", "", "Intro paragraph about the project.", ""]
    for s in range(12):
        parts += [f"## Section {s}", ""]
        parts += [
            f"Line {s}.{i} explains feature number {i} of section {s} in some detail." for i in range(6)
        ]
        parts += ["", "```python", f"def f{s}():", "    return 1", "```", ""]
    return "\n".join(parts)


def _assert_exact(doc: Document, chunks, limit: int) -> None:
    lines = doc.text.split("\n")
    for c in chunks:
        assert c.path == doc.path and c.kind == doc.kind
        assert 1 <= c.start_line <= c.end_line <= len(lines)
        assert c.text == "\n".join(lines[c.start_line - 1 : c.end_line])
        assert len(c.text) <= limit
        assert c.text.strip() and c.text == c.text.strip("\n")


@pytest.mark.parametrize(("limit", "overlap"), [(200, 0), (300, 80), (900, 150)])
def test_line_ranges_are_exact_and_cover_every_line(limit, overlap):
    doc = Document("docs", "docs/guide.md", _long_markdown())
    chunks = chunk_document(doc, limit, overlap)
    assert len(chunks) > 1
    _assert_exact(doc, chunks, limit)
    covered = {n for c in chunks for n in range(c.start_line, c.end_line + 1)}
    nonblank = {i + 1 for i, line in enumerate(doc.text.split("\n")) if line.strip()}
    assert nonblank <= covered
    starts = [c.start_line for c in chunks]
    assert starts == sorted(starts)


def test_overlap_repeats_whole_lines_only_when_asked():
    doc = Document(
        "docs", "d.md", "\n".join(f"sentence number {i} of a long flowing paragraph" for i in range(60))
    )
    plain = chunk_document(doc, 300, 0)
    assert all(b.start_line == a.end_line + 1 for a, b in pairwise(plain))
    overlapped = chunk_document(doc, 300, 100)
    assert all(b.start_line <= a.end_line for a, b in pairwise(overlapped))
    for a, b in pairwise(overlapped):
        shared = "\n".join(doc.text.split("\n")[b.start_line - 1 : a.end_line])
        assert 0 < len(shared) <= 100


def test_headings_start_new_chunks():
    text = "# A\n\n" + "alpha words here. " * 8 + "\n## B\n" + "beta words here. " * 8
    chunks = chunk_document(Document("readme", "README.md", text), 200, 0)
    assert any(c.text.startswith("## B") for c in chunks)


def test_a_line_longer_than_the_chunk_is_cut_and_keeps_its_line_number():
    text = "first line\n\n" + "x" * 1000 + "\n\nlast line"
    chunks = chunk_document(Document("docs", "big.txt", text), 300, 50)
    cut = [c for c in chunks if set(c.text) == {"x"}]
    assert [len(c.text) for c in cut] == [300, 300, 300, 100]
    assert all(c.start_line == c.end_line == 3 for c in cut)
    assert chunks[0].text == "first line" and chunks[-1].text == "last line"
    assert chunks[-1].start_line == 5


def test_commits_and_issues_stay_whole_when_small():
    message = "Add priorities\n\n" + "Explain why priorities matter for the queue. " * 30  # ~1.3k chars
    commit = Document("commit", "commit:abc1234", message)
    assert len(chunk_document(commit, 900, 150)) == 1
    assert len(chunk_document(Document("docs", "x.md", message), 900, 150)) > 1
    huge = Document("issue", "issue#7", "word " * 2000)
    assert len(chunk_document(huge, 900, 150)) > 1


def test_short_and_blank_documents():
    doc = Document("readme", "README.md", "\n\n# T\n\nhi\n\n")
    (chunk,) = chunk_document(doc)
    assert (chunk.start_line, chunk.end_line, chunk.text) == (3, 5, "# T\n\nhi")
    assert chunk_document(Document("docs", "blank.md", "  \n\n")) == []
    crlf = chunk_document(Document("docs", "w.md", "a\r\nb\r\n"))
    assert crlf[0].text == "a\nb" and crlf[0].end_line == 2


def test_sample_project_chunks(sample_project, settings):
    src = load_source(sample_project, settings)
    chunks = chunk_documents(src.documents, 300, 60)
    by_path = {d.path: d for d in src.documents}
    for c in chunks:
        _assert_exact(by_path[c.path], [c], 300)
    assert {c.path for c in chunks} == set(by_path)
