"""Sentence vectors of a project index, embedded once and kept in memory and on disk.

The guard compares every claim with sentences of the project. Embedding those
sentences again for every post cost seconds per post with MiniLM, so
`index_sentences(index, embedder, data_dir)` returns one `SentenceVectors`
per (index cache key, embedder): a text -> vector map that
- is filled once with every sentence of the index when the index is small
  (`PRECOMPUTE_MAX` sentences), otherwise on demand as passages are retrieved;
- takes the chunk's own FAISS vector for a chunk that is a single sentence;
- lives in memory (the last `MEMORY_SLOTS` indexes) and in the index's cache
  folder (`data_dir/index/<key>/guard-sentences-<embedder>.npy` + `.json`), so a
  new process or a reloaded index does not embed again. The key already holds
  the project's content hash, the embedder and the chunk settings.
Claim sentences are never stored here (see `evidence.IndexPool`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["SentenceVectors", "index_sentences", "clear_memory", "PRECOMPUTE_MAX", "MEMORY_SLOTS"]

log = logging.getLogger(__name__)
PRECOMPUTE_MAX = 3000  # sentences; above this only retrieved passages are embedded (and kept)
MEMORY_SLOTS = 8
_MEMORY: OrderedDict[tuple[str, str], SentenceVectors] = OrderedDict()
_LOCK = threading.Lock()


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", str(name)).strip("-").lower() or "embedder"


class SentenceVectors:
    """A persistent text -> vector map for one index and one embedder."""

    def __init__(self, embedder: Any, path: Path | None = None):
        self.embedder = embedder
        self.path = path  # stem; ".npy" (vectors) and ".json" (texts) are added
        self.cache: dict[str, np.ndarray] = {}
        self.embedded = 0  # sentences embedded by this object (not loaded), for tests and logs
        self.complete = False  # every sentence of the index is in the cache
        self._lock = threading.Lock()
        self._saved = 0
        if path is not None:
            self._load()

    def _files(self) -> tuple[Path, Path]:
        assert self.path is not None
        return self.path.with_suffix(".npy"), self.path.with_suffix(".json")

    def _load(self) -> None:
        vec_file, txt_file = self._files()
        if not (vec_file.is_file() and txt_file.is_file()):
            return
        try:
            meta = json.loads(txt_file.read_text(encoding="utf-8"))
            vecs = np.load(vec_file, allow_pickle=False)
            texts = meta["texts"]
            if len(texts) != len(vecs) or meta.get("embedder") != str(self.embedder.name):
                raise ValueError("texts and vectors disagree")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("guard sentence cache %s is unreadable (%s); embedding again", vec_file, exc)
            return
        self.cache = {t: np.asarray(v, dtype=np.float32) for t, v in zip(texts, vecs, strict=True)}
        self.complete = bool(meta.get("complete"))
        self._saved = len(self.cache)

    def add(self, texts: list[str], vectors: np.ndarray) -> None:
        """Store vectors computed elsewhere (e.g. a chunk's own FAISS vector)."""
        with self._lock:
            for t, v in zip(texts, vectors, strict=True):
                self.cache.setdefault(t, np.asarray(v, dtype=np.float32))

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Vectors of `texts`, embedding (in one batch) only those not seen before."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self.cache))
            if todo:
                for t, v in zip(todo, self.embedder.embed(todo), strict=False):
                    self.cache[t] = np.asarray(v, dtype=np.float32)
                self.embedded += len(todo)
            if not texts:
                return np.zeros((0, int(getattr(self.embedder, "dim", 1) or 1)), dtype=np.float32)
            return np.stack([self.cache[t] for t in texts])

    def save(self) -> None:
        """Write the cache to disk when it grew (atomic rename; failures only logged)."""
        if self.path is None or len(self.cache) == self._saved or not self.path.parent.is_dir():
            return
        with self._lock:
            texts = list(self.cache)
            vecs = np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
            complete = self.complete
        vec_file, txt_file = self._files()
        tag = f".tmp-{os.getpid()}-{threading.get_ident()}"
        try:
            with open(str(vec_file) + tag, "wb") as fh:
                np.save(fh, vecs.astype(np.float32), allow_pickle=False)
            meta = {"embedder": str(self.embedder.name), "complete": complete, "texts": texts}
            Path(str(txt_file) + tag).write_text(json.dumps(meta), encoding="utf-8")
            # texts last: a reader that sees the new texts also sees vectors at least as long
            os.replace(str(vec_file) + tag, vec_file)
            os.replace(str(txt_file) + tag, txt_file)
            self._saved = len(texts)
        except OSError as exc:
            log.warning("could not save the guard sentence cache at %s (%s)", vec_file, exc)
            for f in (str(vec_file) + tag, str(txt_file) + tag):
                Path(f).unlink(missing_ok=True)


def _folder(index: Any, data_dir: Any) -> Path | None:
    folder = getattr(index, "folder", None)
    if folder is None and data_dir is not None and getattr(index, "key", ""):
        folder = Path(data_dir) / "index" / index.key
    return Path(folder) if folder is not None else None


def _fill(store: SentenceVectors, index: Any, split: Any) -> None:
    """Every sentence of the index, single-sentence chunks from their FAISS vectors."""
    chunks = list(getattr(index, "chunks", ()) or ())
    per_chunk = [[s.text for s in split(c.text, c.path, 1)] for c in chunks]
    unique = {t for texts in per_chunk for t in texts}
    if len(unique) > PRECOMPUTE_MAX:
        return
    single = [i for i, (c, texts) in enumerate(zip(chunks, per_chunk, strict=True)) if texts == [c.text]]
    single = [i for i in single if chunks[i].text not in store.cache]
    if single and hasattr(index, "vectors"):
        try:
            store.add([chunks[i].text for i in single], index.vectors(single))
        except Exception as exc:  # an index without reconstructable vectors: embed instead
            log.info("chunk vectors not reusable (%s)", exc)
    store.vectors(sorted(unique))
    store.complete = True


def index_sentences(index: Any, embedder: Any, data_dir: Any = None, split: Any = None) -> SentenceVectors:
    """The shared sentence vectors of a project index (memory, then disk, then embedded once)."""
    key = str(getattr(index, "key", "") or "")
    if not key:
        return SentenceVectors(embedder)  # an anonymous index: per-pool cache only
    name = str(getattr(embedder, "name", type(embedder).__name__))
    mem_key = (key, name)
    with _LOCK:
        store = _MEMORY.get(mem_key)
        if store is not None and store.embedder is embedder:
            _MEMORY.move_to_end(mem_key)
            return store
    folder = _folder(index, data_dir)
    path = folder / f"guard-sentences-{_slug(name)}" if folder is not None else None
    store = SentenceVectors(embedder, path)
    if not store.complete and split is not None:
        _fill(store, index, split)
    store.save()
    with _LOCK:
        _MEMORY[mem_key] = store
        while len(_MEMORY) > MEMORY_SLOTS:
            _MEMORY.popitem(last=False)
    return store


def clear_memory() -> None:
    """Forget every in-memory cache (tests)."""
    with _LOCK:
        _MEMORY.clear()
