"""Typed values that cross `rag`'s boundary: documents, chunks, passages, loaded sources."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["location_of", "Document", "Chunk", "Passage", "LoadedSource", "DOCUMENT_KINDS"]

DOCUMENT_KINDS = ("readme", "docs", "example", "changelog", "issue", "commit")


def location_of(path: str, start_line: int = 0, end_line: int = 0) -> str:
    """`path:start-end`, or just the path when lines do not apply.

    Example: location_of("README.md", 3, 9) == "README.md:3-9"
    """
    return f"{path}:{start_line}-{end_line}" if start_line and end_line else path


@dataclass(frozen=True)
class Document:
    """One text of a project: a file, an issue or a commit message."""

    kind: str  # one of DOCUMENT_KINDS
    path: str  # file path relative to the project root, "issue#12" or "commit:abc1234"
    text: str


@dataclass(frozen=True)
class Chunk:
    """A piece of a document that keeps where it came from (1-based, inclusive lines)."""

    text: str
    kind: str
    path: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and the parts of that score."""

    text: str
    kind: str
    path: str
    score: float
    start_line: int = 0
    end_line: int = 0
    lexical: float = 0.0
    dense: float = 0.0

    @property
    def location(self) -> str:
        """`path:start-end`, or just the path when lines do not apply."""
        return location_of(self.path, self.start_line, self.end_line)


@dataclass(frozen=True)
class LoadedSource:
    """A project loaded into documents, with what was skipped and why."""

    kind: str  # local | url | upload | demo
    location: str
    documents: tuple[Document, ...]
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. "offline: GitHub issues not fetched"
    content_hash: str = ""
    name: str = ""  # a display name for the project
    manifests: tuple[Document, ...] = ()  # package manifests and git tags (kind "manifest"), not indexed
