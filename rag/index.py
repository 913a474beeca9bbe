"""The project index: chunks, a FAISS inner-product index over their vectors, and BM25, cached on disk.

The dense index is an exact `IndexFlatIP`; from `FP16_MIN_CHUNKS` chunks on it stores
float16 (`IndexScalarQuantizer`), which keeps a 50,000-chunk query scan well under 10 ms.

`build_index` chunks a `LoadedSource`, embeds the chunks and writes everything
under `data_dir/index/<content hash>-<embedder>-<dim>-c<chunk chars>-o<overlap>-v<format>/`;
the same project with the same embedder and chunk settings is loaded from there
instead of being embedded again. `ProjectIndex.search` is hybrid: dense cosine
scores of the union of both top lists are divided by the best one, BM25
scores by the query's ideal score (so a single common word stays low); they are
mixed with `lexical_weight`, multiplied by the chunk kind's weight, and
near-duplicates are dropped. It does not load sources or pick settings
(`rag.retrieve` applies the settings' weights).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rag.chunking import chunk_documents
from rag.embeddings import Embedder
from rag.lexical import BM25Index, tokenize
from rag.sources import hash_documents
from rag.types import Chunk, LoadedSource, Passage

__all__ = [
    "ProjectIndex",
    "build_index",
    "load_cached_index",
    "index_key",
    "new_dense_index",
    "INDEX_FORMAT",
    "DUPLICATE_COSINE",
]

LOG = logging.getLogger(__name__)

INDEX_FORMAT = 3
DUPLICATE_COSINE = 0.95
DUPLICATE_JACCARD = 0.8
JACCARD_GATE_COSINE = 0.8
EMBED_BATCH = 256
FP16_MIN_CHUNKS = 20_000  # from here on a query scan is memory-bound: half the bytes, ~5x faster
_META = "meta.json"


def _faiss():
    import faiss

    return faiss


def new_dense_index(dim: int, n_chunks: int):
    """An empty FAISS inner-product index: exact float32 (`IndexFlatIP`) for up to
    `FP16_MIN_CHUNKS` chunks, float16 storage above (scores within ~1e-3 of exact)."""
    faiss = _faiss()
    if n_chunks < FP16_MIN_CHUNKS:
        return faiss.IndexFlatIP(int(dim))
    return faiss.IndexScalarQuantizer(int(dim), faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)


class ProjectIndex:
    """Chunks of one project with their dense (FAISS) and lexical (BM25) indexes."""

    def __init__(
        self,
        chunks: list[Chunk] | tuple[Chunk, ...],
        faiss_index: Any,
        lexical: BM25Index,
        embedder: Embedder,
        *,
        key: str = "",
        folder: Path | None = None,
        name: str = "",
        from_cache: bool = False,
        build_seconds: float = 0.0,
    ):
        self.chunks = tuple(chunks)
        self.faiss_index = faiss_index
        self.lexical = lexical
        self.embedder = embedder
        self.key = key
        self.folder = folder
        self.name = name
        self.from_cache = from_cache
        self.build_seconds = build_seconds
        self._tokens: dict[
            int, frozenset[str]
        ] = {}  # word sets of chunks seen by de-dup, reused across queries

    def __len__(self) -> int:
        return len(self.chunks)

    def __repr__(self) -> str:
        return f"ProjectIndex(name={self.name!r}, chunks={len(self.chunks)}, key={self.key!r})"

    def embed_queries(self, queries: list[str]) -> np.ndarray:
        """Query vectors from the index's own embedder, shape (len(queries), dim)."""
        return np.ascontiguousarray(self.embedder.embed(list(queries)), dtype=np.float32)

    def embed_query(self, query: str) -> np.ndarray:
        """One query vector, shape (dim,)."""
        return self.embed_queries([query])[0]

    def vectors(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """The stored vectors of the given chunk ids, shape (len(ids), dim)."""
        ids = np.asarray(ids, dtype=np.int64)
        if ids.size == 0:
            return np.zeros((0, self.faiss_index.d), dtype=np.float32)
        return self.faiss_index.reconstruct_batch(ids)

    def search(
        self,
        query: str,
        k: int = 8,
        kind_weights: Mapping[str, float] | None = None,
        lexical_weight: float = 0.5,
        *,
        query_vector: np.ndarray | None = None,
        kinds: tuple[str, ...] | None = None,
    ) -> list[Passage]:
        """Top `k` passages for `query`: fused dense + BM25 scores times kind weight, duplicates removed.

        Pass `query_vector` to skip embedding the query (e.g. when a batch was embedded at once),
        and `kinds` to keep only some document kinds.
        """
        n = len(self.chunks)
        if n == 0 or k <= 0 or not query.strip():
            return []
        faiss = _faiss()
        faiss.omp_set_num_threads(1)
        qv = self.embed_query(query) if query_vector is None else np.asarray(query_vector, np.float32).ravel()
        m = min(n, max(4 * k, 40))
        _, dense_ids = self.faiss_index.search(qv.reshape(1, -1), m)
        lex = self.lexical.normalised_scores(query)
        lex_ids = np.argpartition(-lex, m - 1)[:m] if m < n else np.arange(n)
        lex_ids = lex_ids[lex[lex_ids] > 0]
        ids = np.unique(np.concatenate([dense_ids[0][dense_ids[0] >= 0], lex_ids]).astype(np.int64))
        if kinds is not None:
            ids = np.array([i for i in ids if self.chunks[i].kind in kinds], dtype=np.int64)
            if ids.size == 0:
                return []
        vecs = self.vectors(ids)
        dense = vecs @ qv
        lexical = lex[ids]
        d_pos = np.clip(dense, 0.0, None)
        d_norm = d_pos / d_pos.max() if d_pos.max() > 0 else d_pos
        l_norm = lexical  # already on an absolute 0..1 scale (share of the query's ideal BM25)
        w = min(max(float(lexical_weight), 0.0), 1.0)
        fused = (1.0 - w) * d_norm + w * l_norm
        weights = kind_weights or {}
        kind_w = np.array([float(weights.get(self.chunks[i].kind, 1.0)) for i in ids], dtype=np.float32)
        scores = fused * kind_w
        order = np.argsort(-scores, kind="stable")
        kept: list[int] = []
        out: list[Passage] = []
        for pos in order:
            if scores[pos] <= 0 or len(out) >= k:
                break
            if any(self._duplicate(int(ids[pos]), int(ids[j]), vecs[pos], vecs[j]) for j in kept):
                continue
            kept.append(pos)
            c = self.chunks[ids[pos]]
            out.append(Passage(text=c.text, kind=c.kind, path=c.path, score=round(float(scores[pos]), 6),
                               start_line=c.start_line, end_line=c.end_line,
                               lexical=round(float(l_norm[pos]), 6), dense=round(float(dense[pos]), 6)))  # fmt: skip
        return out

    def _duplicate(self, a: int, b: int, va: np.ndarray, vb: np.ndarray) -> bool:
        ca, cb = self.chunks[a], self.chunks[b]
        if ca.path == cb.path and (
            ca.start_line >= cb.start_line
            and ca.end_line <= cb.end_line
            or cb.start_line >= ca.start_line
            and cb.end_line <= ca.end_line
        ):
            return True
        cos = float(va @ vb)
        if cos >= DUPLICATE_COSINE:
            return True
        if cos < JACCARD_GATE_COSINE:
            return False  # texts this far apart in meaning are not near-copies; skip tokenising
        ta, tb = self._token_set(a), self._token_set(b)
        return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= DUPLICATE_JACCARD

    def _token_set(self, i: int) -> frozenset[str]:
        found = self._tokens.get(i)
        if found is None:
            found = self._tokens[i] = frozenset(tokenize(self.chunks[i].text))
        return found


def index_key(content_hash: str, embedder: Embedder, chunk_chars: int, overlap: int) -> str:
    """Cache folder name for a project's index: content hash, embedder, dimension, chunk parameters."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(embedder.name)).strip("-").lower() or "embedder"
    return (
        f"{content_hash[:20]}-{slug}-{int(embedder.dim)}-c{int(chunk_chars)}-o{int(overlap)}-v{INDEX_FORMAT}"
    )


def _chunk_to_json(c: Chunk) -> list:
    return [c.kind, c.path, c.start_line, c.end_line, c.text]


def _load(folder: Path, embedder: Embedder, key: str, name: str) -> ProjectIndex | None:
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
        raw = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        chunks = [Chunk(text=t, kind=k, path=p, start_line=s, end_line=e) for k, p, s, e, t in raw]
        faiss_index = _faiss().read_index(str(folder / "index.faiss"))
        lexical = BM25Index.load(folder)
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as exc:
        LOG.warning("index cache at %s is unreadable (%s); rebuilding", folder, exc)
        return None
    if not (meta.get("n_chunks") == len(chunks) == faiss_index.ntotal == lexical.n_docs):
        LOG.warning("index cache at %s is inconsistent; rebuilding", folder)
        return None
    if faiss_index.d != embedder.dim:
        return None
    return ProjectIndex(chunks, faiss_index, lexical, embedder, key=key, folder=folder,
                        name=meta.get("name", name), from_cache=True)  # fmt: skip


def _save(index: ProjectIndex, folder: Path, source_name: str) -> None:
    """Write the index into a temporary folder, then rename it into place (atomic for readers)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}-{threading.get_ident()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _faiss().write_index(index.faiss_index, str(tmp / "index.faiss"))
        (tmp / "chunks.json").write_text(
            json.dumps([_chunk_to_json(c) for c in index.chunks]), encoding="utf-8"
        )
        index.lexical.save(tmp)
        meta = {"n_chunks": len(index.chunks), "embedder": index.embedder.name, "dim": index.embedder.dim,
                "name": source_name, "format": INDEX_FORMAT, "created": time.time(),
                "build_seconds": round(index.build_seconds, 3)}  # fmt: skip
        (tmp / _META).write_text(json.dumps(meta), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    except OSError as exc:
        LOG.warning("could not cache the index at %s (%s); it will be rebuilt next time", folder, exc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load_cached_index(content_hash: str, embedder: Embedder, settings, name: str = "") -> ProjectIndex | None:
    """The cached index of a project with this content hash, or None when it was never built or is gone."""
    key = index_key(content_hash, embedder, settings.chunk_chars, settings.chunk_overlap)
    folder = Path(settings.data_dir) / "index" / key
    if not (folder / _META).is_file():
        return None
    return _load(folder, embedder, key, name)


def build_index(
    source: LoadedSource,
    embedder: Embedder,
    settings,
    *,
    progress: Callable[[int, int], None] | None = None,
    use_cache: bool = True,
) -> ProjectIndex:
    """Chunk, embed and index a loaded project, or load the cached index of an unchanged one.

    `progress(done, total)` is called as chunks are embedded (not on a cache hit).
    """
    content_hash = source.content_hash or hash_documents(source.documents)
    key = index_key(content_hash, embedder, settings.chunk_chars, settings.chunk_overlap)
    folder = Path(settings.data_dir) / "index" / key
    if use_cache and (folder / _META).is_file():
        cached = _load(folder, embedder, key, source.name)
        if cached is not None:
            LOG.info("index cache hit for %s (%d chunks)", source.name or source.location, len(cached))
            return cached
    started = time.perf_counter()
    chunks = chunk_documents(source.documents, settings.chunk_chars, settings.chunk_overlap)
    texts = [c.text for c in chunks]
    total = len(texts)
    faiss_index = new_dense_index(embedder.dim, total)
    # Batches of similar length pad less; sort once, embed in batches (for progress), restore order.
    order = sorted(range(total), key=lambda i: len(texts[i]))
    vectors = np.zeros((total, int(embedder.dim)), dtype=np.float32)
    for start in range(0, total, EMBED_BATCH):
        ids = order[start : start + EMBED_BATCH]
        vectors[ids] = embedder.embed([texts[i] for i in ids])
        if progress is not None:
            progress(min(start + EMBED_BATCH, total), total)
    if total:
        faiss_index.add(vectors)
    lexical = BM25Index.build(texts)
    index = ProjectIndex(chunks, faiss_index, lexical, embedder, key=key, folder=folder, name=source.name,
                         build_seconds=time.perf_counter() - started)  # fmt: skip
    if use_cache:
        _save(index, folder, source.name)
    LOG.info("indexed %s: %d chunks in %.2f s", source.name or source.location, total, index.build_seconds)
    return index
