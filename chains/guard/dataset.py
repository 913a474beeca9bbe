"""Labelled claim/source rows -> feature matrix, for fitting and benchmarking the guard.

Reads `guard_dev.jsonl` style rows ({id, source, claim, label, domain}), splits
claims and sources into sentences, embeds every distinct sentence once (with an
optional on-disk cache keyed by text, so refits and benches do not re-embed),
and returns features, labels, groups (one per source) and parts (summedits,
frank or software). `load_software` reads the software-claims set
(bench/data/software_set.jsonl) with its projects' files; `rule_decisions`
says which rows the structured pass (facts.py) decides outright. It does not
fit anything.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chains.guard.facts import check_facts, failed, project_facts
from chains.guard.features import build_source_view, claim_features
from chains.guard.nli import best_pairs, mean_vector
from chains.guard.textutil import split_sentences

__all__ = [
    "LabelledSet",
    "load_rows",
    "load_software",
    "rule_decisions",
    "featurize_rows",
    "CachedEmbedder",
    "Documents",
]
Documents = list[tuple[str, int, str]]  # (path, first line, text) of a project's files

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledSet:
    """Features and labels of labelled rows (y = 1 means supported)."""

    ids: tuple[str, ...]
    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    parts: tuple[str, ...]
    baseline: np.ndarray  # plain embedding similarity (mean over claim sentences of best cosine)
    X_nli: np.ndarray | None = None  # the NLI probe's input (nli.VECTOR_DIM per row), when a scorer was given


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def project_documents(folder: Path) -> Documents:
    """A project folder's text files (README first) as (path, 1, text)."""
    files = sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix in (".md", ".txt", ".rst")),
        key=lambda p: (p.name != "README.md", p.name),
    )
    return [(p.name, 1, p.read_text(encoding="utf-8")) for p in files]


def load_software(
    path: str | Path, projects_dir: str | Path
) -> tuple[list[dict[str, Any]], dict[str, Documents]]:
    """Software-claims rows with `source` (the project's files joined) and `domain` "software", and each
    project's documents. Rows keep their `project` (the group of every split) and `kind`."""
    rows = load_rows(path)
    docs: dict[str, Documents] = {}
    for name in sorted({r["project"] for r in rows}):
        docs[name] = project_documents(Path(projects_dir) / name)
    joined = {n: "\n\n".join(t for _, _, t in d) for n, d in docs.items()}
    for r in rows:
        r["source"] = joined[r["project"]]
        r["domain"] = "software"
    return rows, docs


def rule_decisions(rows: list[dict[str, Any]], documents: dict[str, Documents] | None = None) -> np.ndarray:
    """True where a structured check fails (the cascade calls the claim unsupported outright).

    A row with a `project` in `documents` is checked against that project's files; any other row
    against its inline `source`, exactly as `verify_claims` does."""
    out = []
    for r in rows:
        docs = (documents or {}).get(r.get("project", "")) or [("source", 1, r.get("source") or "")]
        facts = project_facts(docs)
        out.append(bool(failed(check_facts(r.get("claim") or "", facts))))
    return np.array(out, dtype=bool)


class CachedEmbedder:
    """Wraps an embedder with a text -> vector cache saved as one .npz file."""

    def __init__(self, embedder: Any, cache_file: Path | None = None):
        self.inner = embedder
        self.name = getattr(embedder, "name", "embedder")
        self.dim = getattr(embedder, "dim", None)
        self.cache_file = cache_file
        self.cache: dict[str, np.ndarray] = {}
        if cache_file and cache_file.exists():
            data = np.load(cache_file, allow_pickle=False)
            for key, vec in zip(data["keys"], data["vectors"], strict=False):
                self.cache[str(key)] = vec
        self._dirty = False

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for texts, embedding only those not cached."""
        keys = [self._key(t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts, strict=False) if k not in self.cache}.items())
        if todo:
            vecs = self.inner.embed([t for _, t in todo])
            for (k, _), v in zip(todo, vecs, strict=False):
                self.cache[k] = np.asarray(v, dtype=np.float32)
            self._dirty = True
        if not texts:
            return np.zeros((0, self.dim or 1), dtype=np.float32)
        return np.stack([self.cache[k] for k in keys])

    def save(self) -> None:
        """Write the cache file when anything new was embedded."""
        if self.cache_file and self._dirty:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(self.cache)
            np.savez(self.cache_file, keys=np.array(keys), vectors=np.stack([self.cache[k] for k in keys]))
            self._dirty = False


def featurize_rows(rows: list[dict[str, Any]], embedder: Any, nli: Any = None) -> LabelledSet:
    """Feature matrix for labelled rows; sources are split and embedded once each.

    With an NLI scorer (`nli.NLIScorer` or anything with `vectors(pairs)`), each
    row's probe input (the mean pair vector, `nli.mean_vector`) is computed too.
    """
    sources: dict[str, int] = {}
    for r in rows:
        sources.setdefault(r["source"], len(sources))
    src_sents = {s: split_sentences(s) or [s] for s in sources}
    claim_sents = {r["id"]: split_sentences(r["claim"]) or [r["claim"]] for r in rows}
    every = [t for ss in src_sents.values() for t in ss] + [t for cs in claim_sents.values() for t in cs]
    log.info("embedding %d sentences", len(every))
    embedder.embed(every)  # warm the cache in one batch
    views = {s: build_source_view(ss, embedder.embed(ss)) for s, ss in src_sents.items()}
    X, y, groups, parts, base, pairs = [], [], [], [], [], []
    for r in rows:
        cs = claim_sents[r["id"]]
        cv = embedder.embed(cs)
        view = views[r["source"]]
        pairs.append(best_pairs(cs, cv, view.sentences, view.vectors))
        X.append(claim_features(cs, cv, views[r["source"]]))
        y.append(1 if r.get("label") == "supported" else 0)
        groups.append(sources[r["source"]])
        domain = r.get("domain", "")
        parts.append(
            "software" if domain == "software" else "frank" if domain.startswith("frank") else "summedits"
        )
        base.append(float((cv @ views[r["source"]].vectors.T).max(axis=1).mean()))
    x_nli = None
    if nli is not None:
        flat = [p for ps in pairs for p in ps]
        vecs = np.asarray(nli.vectors(flat), dtype=np.float64)
        bounds = np.cumsum([0] + [len(ps) for ps in pairs])
        x_nli = np.array([mean_vector(vecs[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)])
    return LabelledSet(
        ids=tuple(r["id"] for r in rows),
        X=np.array(X),
        y=np.array(y),
        groups=np.array(groups),
        parts=tuple(parts),
        baseline=np.array(base),
        X_nli=x_nli,
    )
