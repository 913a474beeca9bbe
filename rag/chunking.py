"""Split documents into chunks that keep their path and 1-based, inclusive line range.

Chunks follow the text's own structure: paragraphs (blank-line separated) and
Markdown headings start new blocks, blocks are packed greedily up to
`chunk_chars`, a block that is too long is split by lines, and a line that is
too long is cut by characters (keeping its line number). Consecutive chunks of a
document share up to `overlap` characters of whole lines. Commit messages and
issues stay one chunk unless they are long. A chunk's text is exactly the lines
it names (no rewriting), so a passage can be quoted as evidence. It does not embed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.types import Chunk, Document

__all__ = ["chunk_documents", "chunk_document"]

_HEADING = re.compile(r"^\s{0,3}(#{1,6}\s|=+\s*$|-{3,}\s*$)")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
WHOLE_KINDS = frozenset({"commit", "issue"})


def _blocks(lines: list[str]) -> list[list[int]]:
    """Group line indexes into blocks: paragraphs, with headings opening a block; fences stay whole."""
    blocks: list[list[int]] = []
    current: list[int] = []
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            if not in_fence and current:
                blocks.append(current)
                current = []
            in_fence = not in_fence
            current.append(i)
            if not in_fence:
                blocks.append(current)
                current = []
            continue
        if in_fence:
            current.append(i)
            continue
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        if line.lstrip().startswith("#") and _HEADING.match(line) and current:
            blocks.append(current)
            current = []
        current.append(i)
    if current:
        blocks.append(current)
    return blocks


def _pieces(lines: list[str], block: list[int], limit: int) -> list[tuple[int, int, str | None]]:
    """(first, last line index, fragment) pieces of a block: the whole block when it fits, else
    one piece per line so the packer can fill chunks and overlap them; a line longer than `limit`
    becomes fragments (the only pieces with text of their own)."""
    if sum(len(lines[i]) + 1 for i in block) - 1 <= limit:
        return [(block[0], block[-1], None)]
    out: list[tuple[int, int, str | None]] = []
    for i in block:
        line = lines[i]
        if len(line) > limit:
            out.extend((i, i, line[at : at + limit]) for at in range(0, len(line), limit))
        elif line.strip():
            out.append((i, i, None))
    return out


def chunk_document(doc: Document, chunk_chars: int = 900, overlap: int = 150) -> list[Chunk]:
    """Chunks of one document; see the module docstring for the rules.

    Example: chunk_document(Document("readme", "README.md", "# A\\n\\nhi"))[0].end_line == 3
    """
    limit = max(50, int(chunk_chars))
    overlap = max(0, min(int(overlap), limit // 2))
    lines = doc.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return []
    prefix = [0]
    for line in lines:
        prefix.append(prefix[-1] + len(line))

    def size(s: int, e: int) -> int:
        return prefix[e + 1] - prefix[s] + (e - s)

    chunks: list[Chunk] = []

    def emit(s: int, e: int, text: str | None = None) -> None:
        while text is None and s < e and not lines[s].strip():
            s += 1
        while text is None and e > s and not lines[e].strip():
            e -= 1
        body = text if text is not None else "\n".join(lines[s : e + 1])
        chunks.append(Chunk(text=body, kind=doc.kind, path=doc.path, start_line=s + 1, end_line=e + 1))

    first, last = nonblank[0], nonblank[-1]
    whole_limit = 2 * limit if doc.kind in WHOLE_KINDS else limit
    if size(first, last) <= whole_limit:
        emit(first, last)
        return chunks

    cur: tuple[int, int] | None = None
    for s, e, frag in (p for block in _blocks(lines) for p in _pieces(lines, block, limit)):
        if frag is not None:
            if cur:
                emit(*cur)
                cur = None
            emit(s, e, frag)
            continue
        if cur is None:
            cur = (s, e)
        elif size(cur[0], e) <= limit:
            cur = (cur[0], e)
        else:
            emit(*cur)
            cur = (_overlap_start(lines, cur, s, e, overlap, limit, size), e)
    if cur:
        emit(*cur)
    return chunks


def _overlap_start(lines: list[str], prev: tuple[int, int], s: int, e: int, overlap: int, limit: int,
                   size) -> int:  # fmt: skip
    """First line of the next chunk: reach back into the previous one by whole lines, at most `overlap` chars."""
    best = s
    j = prev[1]
    while j > prev[0] and overlap and size(j, prev[1]) <= overlap and size(j, e) <= limit:
        if lines[j].strip():
            best = j
        j -= 1
    return best


def chunk_documents(docs: Iterable[Document], chunk_chars: int = 900, overlap: int = 150) -> list[Chunk]:
    """Chunks of every document, in document order."""
    return [c for doc in docs for c in chunk_document(doc, chunk_chars, overlap)]
