"""Retrieval over a software project: load its sources, chunk, embed, index, and retrieve passages.

Public surface (import from here): `load_source`, `load_uploads`, `build_card`, `edit_card`,
`ProjectCard`, `CardField`, `chunk_documents`,
`Embedder`, `MiniLMEmbedder`, `load_embedder`, `ProjectIndex`, `build_index`,
`retrieve`, the typed values and the errors. Importing `rag` loads no model and
touches no network.
"""

from rag.card import build_card, card_passages, edit_card
from rag.card_types import CardField, ProjectCard, Release, card_from_dict
from rag.chunking import chunk_documents
from rag.embeddings import Embedder, MiniLMEmbedder, load_embedder
from rag.errors import (
    EmbeddingUnavailableError,
    EmptySourceError,
    NotARepositoryError,
    OfflineError,
    RagError,
    SourceError,
    SourceNotFoundError,
)
from rag.index import ProjectIndex, build_index
from rag.retrieve import retrieve
from rag.sources import hash_documents, load_source, load_uploads
from rag.types import DOCUMENT_KINDS, Chunk, Document, LoadedSource, Passage

__all__ = [
    "build_card",
    "edit_card",
    "card_passages",
    "card_from_dict",
    "ProjectCard",
    "CardField",
    "Release",
    "load_source",
    "load_uploads",
    "hash_documents",
    "chunk_documents",
    "Embedder",
    "MiniLMEmbedder",
    "load_embedder",
    "ProjectIndex",
    "build_index",
    "retrieve",
    "Document",
    "Chunk",
    "Passage",
    "LoadedSource",
    "DOCUMENT_KINDS",
    "RagError",
    "SourceError",
    "SourceNotFoundError",
    "EmptySourceError",
    "NotARepositoryError",
    "OfflineError",
    "EmbeddingUnavailableError",
]
