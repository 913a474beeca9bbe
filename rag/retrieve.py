"""Retrieval with the settings' weights: the one call the pipeline makes to get passages for a brief.

It applies `settings.kind_weights` (README above docs and examples, above the
changelog, above issues, above commits by default), `settings.lexical_weight` and
`settings.retrieval_k` to `ProjectIndex.search`. It does not build indexes.
"""

from __future__ import annotations

from rag.index import ProjectIndex
from rag.types import Passage

__all__ = ["retrieve"]


def retrieve(index: ProjectIndex, query: str, settings, k: int | None = None) -> list[Passage]:
    """Top passages for `query`, hybrid-scored and weighted by source kind as `settings` say."""
    return index.search(
        query,
        k=int(k if k is not None else settings.retrieval_k),
        kind_weights=dict(settings.kind_weights),
        lexical_weight=float(settings.lexical_weight),
    )
