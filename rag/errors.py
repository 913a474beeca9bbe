"""Errors raised by `rag`; each message names the fix.

`rag` does not import `core`, so these derive from `Exception` through `RagError`;
the pipeline and the CLI map them to user messages and exit codes.
"""

from __future__ import annotations

__all__ = [
    "RagError",
    "SourceError",
    "SourceNotFoundError",
    "EmptySourceError",
    "NotARepositoryError",
    "OfflineError",
    "EmbeddingUnavailableError",
]


class RagError(Exception):
    """Base class for every error `rag` raises."""


class SourceError(RagError):
    """A project could not be loaded; the message says why and what to do."""


class SourceNotFoundError(SourceError):
    """The local path given as a source does not exist."""


class EmptySourceError(SourceError):
    """The source holds no readable text (empty folder, only binaries, nothing uploaded)."""


class NotARepositoryError(SourceError):
    """A URL that does not name a GitHub or GitLab repository (or one that does not exist)."""


class OfflineError(SourceError):
    """A URL could not be cloned because the network is unreachable or too slow."""


class EmbeddingUnavailableError(RagError):
    """The embedding model or its library is not installed."""
