"""Evidence search: the project sentences each claim is checked against.

Two pools behind one interface, `view_for(claim_sentences)`:
- `InlinePool`: one source text given inline (the `verify` CLI, the benchmark);
  every sentence is embedded once and every claim sees them all.
- `IndexPool`: a whole project index (`ProjectIndex.search`, or any
  `search(query, k) -> list[Passage]` callable); the best passages are split
  into sentences with line numbers, and the whole project's words are added so
  coverage features see the full project. The sentence vectors come from the
  index's shared `sentcache.SentenceVectors` (embedded once per index and
  embedder, kept in memory and on disk); only claim sentences are embedded
  per post.
`top_evidence` picks the best few sentences; `find_conflict` spots evidence
that disagrees with itself. No verdicts here.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from chains.guard.features import SourceView, build_source_view
from chains.guard.report import Evidence
from chains.guard.sentcache import index_sentences
from chains.guard.textutil import content_tokens, negation_count, sentence_spans, tokens

__all__ = [
    "EmbeddingCache",
    "SourceSentence",
    "InlinePool",
    "IndexPool",
    "top_evidence",
    "find_conflict",
    "split_with_lines",
    "make_pool",
]

log = logging.getLogger(__name__)
SEARCH_K = 8


@dataclass(frozen=True)
class SourceSentence:
    """A sentence of the project with where it is."""

    text: str
    path: str
    start_line: int
    end_line: int
    table_line: int = 0  # a table row: the line of its table's header (0: not a table row)


def split_with_lines(text: str, path: str, first_line: int = 1) -> list[SourceSentence]:
    """Sentences of a text with 1-based line ranges (offset by `first_line`).

    A Markdown table row reads as "header: cell; ..." when its table's header
    is in the text (a bare "| 1 | 1,900 |" says nothing on its own); separator
    rows are skipped.
    """
    out = []
    lines = text.split("\n")
    for a, b in sentence_spans(text):
        start = first_line + text.count("\n", 0, a)
        end = start + text.count("\n", a, b)
        sentence, table_line = text[a:b], 0
        if sentence.startswith("|"):
            if not re.search(r"\w", sentence):
                continue
            sentence, header = _table_row(sentence, lines, start - first_line)
            table_line = first_line + header if header is not None else 0
        out.append(SourceSentence(sentence, path, start, end, table_line))
    return out


_TABLE_RULE = re.compile(r"\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?")


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _table_row(row: str, lines: list[str], line_index: int) -> tuple[str, int | None]:
    """A data row as "header: cell; ..." and its header's line index, using the header above its
    table's rule line; the row unchanged and None when that header is not in `lines`."""
    top = line_index
    while top > 0 and lines[top - 1].lstrip().startswith("|"):
        top -= 1
    if top + 1 >= len(lines) or top + 1 >= line_index or not _TABLE_RULE.fullmatch(lines[top + 1].strip()):
        return row, None
    header, cells = _cells(lines[top]), _cells(row)
    if len(header) != len(cells):
        return row, None
    return "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True) if c), top


class _Embedded:
    """A text -> vector cache in front of an embedder (one batch per call)."""

    def __init__(self, embedder: Any):
        self.embedder = embedder
        self.cache: dict[str, np.ndarray] = {}

    def vectors(self, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if todo:
            for t, v in zip(todo, self.embedder.embed(todo), strict=False):
                self.cache[t] = np.asarray(v, dtype=np.float32)
        if not texts:
            return np.zeros((0, int(getattr(self.embedder, "dim", 1) or 1)), dtype=np.float32)
        return np.stack([self.cache[t] for t in texts])


EmbeddingCache = _Embedded


class InlinePool:
    """Evidence from one source text given inline."""

    def __init__(self, source: str, embedder: Any, path: str = "source", shared: Any = None):
        self.sentences = split_with_lines(source or "", path)
        self.emb = shared if shared is not None else _Embedded(embedder)
        texts = [s.text for s in self.sentences]
        self.view = build_source_view(texts, self.emb.vectors(texts))
        self.project_text = source or ""
        self.documents = [(path, 1, self.project_text)] if self.project_text.strip() else []

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for claim sentences (cached)."""
        return self.emb.vectors(texts)

    def view_for(self, claim_sentences: list[str]) -> tuple[SourceView, list[SourceSentence]]:
        """The whole source, for every claim."""
        return self.view, self.sentences


class IndexPool:
    """Evidence from a project index: the best passages for each claim, split into sentences."""

    def __init__(
        self,
        search: Callable[[str, int], list[Any]],
        embedder: Any,
        project_text: str = "",
        k: int = SEARCH_K,
        sentences: Any = None,
        search_by_vector: Callable[[str, int, np.ndarray], list[Any]] | None = None,
        documents: list[tuple[str, int, str]] | None = None,
    ):
        self.search = search
        self.search_by_vector = search_by_vector  # skips embedding a query that is one claim sentence
        self.emb = _Embedded(embedder)  # claim sentences: this post only
        self.sources = sentences if sentences is not None else _Embedded(embedder)  # project sentences
        self.project_text = project_text
        self.k = k
        self._extra_view = _extra_vocab(project_text)
        # (path, first line, text) of the whole project, for the structured pass (facts.py)
        self.documents = (
            documents if documents else ([("project", 1, project_text)] if project_text.strip() else [])
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors for claim sentences (cached)."""
        return self.emb.vectors(texts)

    def view_for(self, claim_sentences: list[str]) -> tuple[SourceView, list[SourceSentence]]:
        """Sentences of the passages retrieved for the claim, with whole-project vocabulary."""
        query = " ".join(claim_sentences)[:1000]
        try:
            if self.search_by_vector is not None and len(claim_sentences) == 1:
                vec = self.emb.vectors(list(claim_sentences))[0]
                passages = list(self.search_by_vector(query, self.k, vec))
            else:
                passages = list(self.search(query, self.k))
        except Exception as exc:  # a broken index must not crash the report
            log.warning("evidence search failed: %s", exc)
            passages = []
        seen: set[str] = set()
        sents: list[SourceSentence] = []
        for p in passages:
            for s in _passage_sentences(p.text, p.path, max(1, int(getattr(p, "start_line", 0) or 1))):
                flat = " ".join(s.text.split())
                if any(flat in other for other in seen):
                    continue
                seen.add(flat)
                sents = [o for o in sents if " ".join(o.text.split()) not in flat]
                sents.append(s)
        texts = [s.text for s in sents]
        view = build_source_view(texts, self.sources.vectors(texts))
        view.vocab |= self._extra_view.vocab
        view.bigram_set |= self._extra_view.bigram_set
        return view, sents

    def finish(self) -> None:
        """Persist project sentences embedded during this post (when the cache is on disk)."""
        save = getattr(self.sources, "save", None)
        if save is not None:
            save()


@functools.lru_cache(maxsize=4096)
def _passage_sentences(text: str, path: str, first_line: int) -> tuple[SourceSentence, ...]:
    # the same passages come back for claim after claim and post after post: split each once
    return tuple(split_with_lines(text, path, first_line))


_EXTRA: dict[int, tuple[str, SourceView]] = {}


def _extra_vocab(project_text: str) -> SourceView:
    """Whole-project words and bigrams, tokenised once per distinct project text."""
    key = hash(project_text)
    hit = _EXTRA.get(key)
    if hit is not None and hit[0] == project_text:
        return hit[1]
    view = build_source_view([], np.zeros((0, 1), dtype=np.float32), project_text)
    if len(_EXTRA) >= 8:
        _EXTRA.pop(next(iter(_EXTRA)))
    _EXTRA[key] = (project_text, view)
    return view


def make_pool(
    index_or_search: Any, embedder: Any, project_text: str = "", data_dir: Any = None
) -> InlinePool | IndexPool:
    """A pool from a ProjectIndex, a search callable, or an inline source string.

    For a ProjectIndex the project's sentence vectors are shared across posts
    (memory, and `data_dir/index/<key>/` on disk): see `sentcache`.
    """
    if isinstance(index_or_search, str):
        return InlinePool(index_or_search, embedder)
    if hasattr(index_or_search, "search"):
        index = index_or_search
        if not project_text:
            project_text = _index_text(index)
        shared = index_sentences(index, embedder, data_dir, split_with_lines)
        by_vector = None
        if getattr(index, "embedder", None) is embedder:  # same model: a claim's vector is its query vector
            by_vector = lambda q, k, v: index.search(q, k, query_vector=v)  # noqa: E731
        return IndexPool(
            lambda q, k: index.search(q, k),
            embedder,
            project_text,
            sentences=shared,
            search_by_vector=by_vector,
            documents=_index_documents(index),
        )
    if callable(index_or_search):
        return IndexPool(index_or_search, embedder, project_text)
    if index_or_search is None:
        return InlinePool("", embedder)
    raise TypeError("check_post needs a ProjectIndex, a search(query, k) callable or the source text")


def _index_text(index: Any) -> str:
    for attr in ("chunks", "documents"):
        items = getattr(index, attr, None)
        if items:
            try:
                return "\n".join(f"{getattr(c, 'path', '')}\n{c.text}" for c in items)
            except (AttributeError, TypeError):
                continue
    return ""


def _index_documents(index: Any) -> list[tuple[str, int, str]]:
    """(path, first line, text) of every chunk of an index, or [] when it does not expose its chunks."""
    for attr in ("chunks", "documents"):
        items = getattr(index, attr, None)
        if items:
            try:
                return [(str(c.path), int(getattr(c, "start_line", 1) or 1), c.text) for c in items]
            except (AttributeError, TypeError, ValueError):
                continue
    return []


def top_evidence(
    claim_vectors: np.ndarray, claim_text: str, view: SourceView, sents: list[SourceSentence], k: int
) -> list[Evidence]:
    """The k best sentences for a claim: cosine blended with content-word coverage."""
    if not sents or claim_vectors.size == 0:
        return []
    cos = (claim_vectors @ view.vectors.T).max(axis=0)
    ctoks = set(content_tokens(claim_text))
    cover = np.array([len(ctoks & set(t)) / len(ctoks) if ctoks else 0.0 for t in view.sentence_tokens])
    score = 0.7 * cos + 0.3 * cover
    order = np.argsort(-score)[:k]
    return [
        Evidence(
            sents[i].text,
            sents[i].path,
            sents[i].start_line,
            sents[i].end_line,
            round(float(score[i]), 4),
            sents[i].table_line,
        )
        for i in order
    ]


def find_conflict(evidence: list[Evidence], min_score: float = 0.45) -> str:
    """A sentence explaining how two strong evidence sentences disagree, or ""."""
    strong = [e for e in evidence if e.score >= min_score]
    for i, a in enumerate(strong):
        ta = tokens(a.text)
        for b in strong[i + 1 :]:
            tb = tokens(b.text)
            sa, sb = set(ta), set(tb)
            overlap = len(sa & sb) / max(1, len(sa | sb))
            nums_a = {t for t in sa if any(c.isdigit() for c in t)}
            nums_b = {t for t in sb if any(c.isdigit() for c in t)}
            if overlap >= 0.5 and (negation_count(ta) > 0) != (negation_count(tb) > 0):
                return f"the project contradicts itself: {a.location} and {b.location} disagree (one negates the other)"
            if a.table_line and (a.path, a.table_line) == (b.path, b.table_line):
                continue  # rows of a table give different numbers for different cases by design
            if overlap >= 0.5 and nums_a and nums_b and nums_a != nums_b and not (nums_a & nums_b):
                return f"the project contradicts itself: {a.location} and {b.location} give different numbers"
    return ""
