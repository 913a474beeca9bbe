"""Errors of the post pipeline, and `mapped_errors`, which turns `rag` and `chains` errors into them.

The lowest module of `core.posts`: every other one may import it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.errors import HeraldError, InvalidInputError

__all__ = ["SourceLoadError", "GenerationFailedError", "mapped_errors"]


class SourceLoadError(InvalidInputError):
    """The project could not be loaded; the message says what to change."""


class GenerationFailedError(HeraldError):
    """No writing provider produced a draft; the message lists the attempts and the fix."""


# --- errors from the layers below ---------------------------------------------
def _source_error(exc: Exception) -> HeraldError:
    from rag import errors as rag_errors

    labels = [
        (rag_errors.SourceNotFoundError, "Source not found"),
        (rag_errors.EmptySourceError, "Nothing to write from"),
        (rag_errors.NotARepositoryError, "Not a repository"),
        (rag_errors.OfflineError, "Cannot reach the repository"),
    ]
    for cls, label in labels:
        if isinstance(exc, cls):
            return SourceLoadError(f"{label}: {exc}")
    if isinstance(exc, rag_errors.EmbeddingUnavailableError):
        return HeraldError(f"Embeddings unavailable: {exc}")
    return SourceLoadError(f"Could not load the source: {exc}")


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn `rag` and `chains` errors raised in the block into `HeraldError`s naming the fix."""
    from chains.errors import AllProvidersFailedError, ChainError
    from rag.errors import RagError

    try:
        yield
    except RagError as exc:
        raise _source_error(exc) from exc
    except AllProvidersFailedError as exc:
        raise GenerationFailedError(str(exc)) from exc
    except ChainError as exc:
        raise GenerationFailedError(f"Writing failed: {exc}") from exc
