"""Retrieval benchmark: index build vs raw embedding, query latency vs numpy brute force, cache re-index.

Run: .venv/bin/python bench/retrieval.py [--real N]   (about 2-3 minutes on 2 idle cores; no network)

* Build throughput: `build_index` (chunk + embed + FAISS + BM25 + write cache) on 1,000 real
  text chunks, next to `model.encode` alone on the same texts (interleaved in 4 slices).
* Query latency p50/p95: `ProjectIndex.search` (hybrid: FAISS + BM25 + fusion + de-dup, query
  vector given) and a bare FAISS search, next to numpy brute force (dot product + argpartition),
  at 1,000 and 50,000 chunks. Query embedding time is printed separately.
  The 50,000-chunk index tiles the 1,000 real vectors 50 times with Gaussian noise
  (re-normalised) and pairs them with texts sampled from the real texts' words; embedding 50k real
  texts would take ~6 minutes.
  `--real N` embeds only N real chunks (default 1,000); with N < 1,000 the 1k index is tiled too,
  which the output says (use it on a loaded machine).
* Re-indexing an unchanged project: `load_source` + `build_index` on a cache hit.
Texts come from the package descriptions (METADATA) and docs installed in the virtualenv.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from rag import build_index, load_embedder, load_source  # noqa: E402
from rag.chunking import chunk_documents  # noqa: E402
from rag.index import ProjectIndex, new_dense_index  # noqa: E402
from rag.lexical import BM25Index  # noqa: E402
from rag.sources import hash_documents  # noqa: E402
from rag.types import Chunk, Document, LoadedSource  # noqa: E402
from utils.settings import load_settings  # noqa: E402

print = functools.partial(print, flush=True)  # noqa: A001  (progress shows up when piped)

N_SMALL = 1_000
N_LARGE = 50_000
K = 8
QUERIES = [
    "how do I install it", "what is new in the latest release", "how fast is it, benchmark numbers",
    "supported Python versions", "configuration options and environment variables",
    "command line interface usage", "license", "how to contribute", "async support", "retry on failure",
    "authentication with an API key", "plugin system", "compatibility with numpy arrays",
    "logging and debugging", "memory usage", "thread safety", "database connection", "HTTP requests",
    "serialization to JSON", "deprecation warnings", "type hints", "documentation website",
    "security vulnerability fix", "Windows support", "GPU acceleration", "streaming large files",
    "caching results", "testing utilities", "example code", "breaking changes",
]  # fmt: skip
KINDS = ("readme", "docs", "docs", "example", "changelog", "issue", "commit")


def corpus(n: int, chunk_chars: int) -> list[Document]:
    """`n` single-chunk documents cut from the package descriptions and docs in the venv."""
    site = Path(np.__file__).resolve().parent.parent
    files = sorted(site.glob("*.dist-info/METADATA")) + sorted(site.glob("*/**/*.md"))[:400]
    docs = [Document("docs", str(p.relative_to(site)), p.read_text("utf-8", "replace")) for p in files]
    chunks = [c for c in chunk_documents(docs, chunk_chars, 0) if len(c.text) > 200]
    if len(chunks) < n:
        raise SystemExit(f"only {len(chunks)} chunks of text found in {site}; need {n}")
    step = len(chunks) / n
    picked = [chunks[int(i * step)] for i in range(n)]
    return [Document(KINDS[i % len(KINDS)], f"doc{i:05d}.md", c.text) for i, c in enumerate(picked)]


def pct(values: list[float], q: float) -> float:
    """Percentile in milliseconds of a list of seconds."""
    return float(np.percentile(np.asarray(values) * 1000, q))


def timed(fn, repeats: int) -> list[float]:
    """Wall times of `repeats` calls."""
    out = []
    for i in range(repeats):
        t = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t)
    return out


def latency_rows(label: str, index: ProjectIndex, qvecs: np.ndarray, repeats: int) -> None:
    """Print p50/p95 of hybrid search, bare FAISS and numpy brute force over the same vectors."""
    import faiss

    faiss.omp_set_num_threads(1)
    n = len(index)
    matrix = index.vectors(np.arange(n))  # the numpy baseline gets its own contiguous copy
    nq = len(QUERIES)

    def hybrid(i: int) -> None:
        index.search(QUERIES[i % nq], K, query_vector=qvecs[i % nq])

    def bare(i: int) -> None:
        index.faiss_index.search(qvecs[i % nq : i % nq + 1], K)

    def brute(i: int) -> None:
        scores = matrix @ qvecs[i % nq]
        top = np.argpartition(-scores, K)[:K]
        top[np.argsort(-scores[top])]

    fns = (hybrid, bare, brute)
    for fn in fns:  # warm caches
        fn(0)
    times: list[list[float]] = [[], [], []]
    for i in range(repeats):  # interleaved, so a load spike on a busy machine hits all three alike
        for slot, fn in enumerate(fns):
            t = time.perf_counter()
            fn(i)
            times[slot].append(time.perf_counter() - t)
    names = ("ProjectIndex.search (hybrid)", f"FAISS {type(index.faiss_index).__name__}.search",
             "numpy dot + argpartition (baseline)")  # fmt: skip
    rows = list(zip(names, times, strict=True))
    for name, times in rows:
        print(f"  {label:>6} chunks  {name:<38} p50 {pct(times, 50):7.2f} ms   p95 {pct(times, 95):7.2f} ms")


def tiled_index(small: ProjectIndex, n: int, rng: np.random.Generator) -> ProjectIndex:
    """A `n`-chunk index: the small one's vectors repeated with noise (cosine ~0.9 to their source),
    the real texts once, then distinct texts sampled from the real texts' words (same word
    frequencies and lengths), so BM25 and de-duplication see distinct chunks."""

    base = small.vectors(np.arange(len(small)))
    reps = -(-n // len(base))
    vecs = np.tile(base, (reps, 1))[:n]
    vecs = vecs + rng.normal(0, 0.02, vecs.shape).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    flat = new_dense_index(vecs.shape[1], n)  # what build_index would use for n chunks
    flat.add(np.ascontiguousarray(vecs, dtype=np.float32))
    words = np.array(" ".join(c.text for c in small.chunks).split())
    lengths = [len(c.text.split()) for c in small.chunks]
    chunks = list(small.chunks)
    for i in range(len(chunks), n):
        src = small.chunks[i % len(small.chunks)]
        text = " ".join(rng.choice(words, lengths[i % len(lengths)]))
        chunks.append(Chunk(text=text, kind=src.kind, path=f"synthetic/{i}.md", start_line=1, end_line=1))
    lexical = BM25Index.build([c.text for c in chunks])
    return ProjectIndex(chunks, flat, lexical, small.embedder, name="tiled")


def merge_into_cache(parts: list[ProjectIndex], source: LoadedSource, embedder, settings) -> ProjectIndex:
    """One index from slice indexes (same chunks, vectors, BM25), saved where `build_index` looks."""
    from rag.index import _save, index_key

    chunks = [c for p in parts for c in p.chunks]
    vecs = np.concatenate([p.vectors(np.arange(len(p))) for p in parts])
    dense = new_dense_index(vecs.shape[1], len(chunks))
    dense.add(vecs)
    key = index_key(source.content_hash, embedder, settings.chunk_chars, settings.chunk_overlap)
    folder = Path(settings.data_dir) / "index" / key
    merged = ProjectIndex(chunks, dense, BM25Index.build([c.text for c in chunks]), embedder, key=key,
                          folder=folder, name=source.name)  # fmt: skip
    _save(merged, folder, source.name)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=int, default=N_SMALL, help="chunks embedded with the real model")
    n_real = parser.parse_args().real
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="herald-bench-"))
    settings = load_settings(data_dir=tmp / "data", log_dir=tmp / "logs")
    print(
        f"Herald retrieval benchmark  (CPUs: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}, data under {tmp})"
    )

    t = time.perf_counter()
    embedder = load_embedder(settings)
    embedder.embed(["warm up the model"])
    print(f"\nload all-MiniLM-L6-v2: {time.perf_counter() - t:.1f} s")

    docs = corpus(n_real, settings.chunk_chars)
    texts = [d.text for d in docs]
    source = LoadedSource("local", "bench", tuple(docs), content_hash=hash_documents(docs), name="bench")

    print(
        f"\n1. Index build vs raw embedding, {n_real:,} chunks (mean {np.mean([len(x) for x in texts]):.0f} chars)"
    )
    by_len = sorted(texts, key=len)  # warm-up over the whole range of lengths: the first run of
    embedder.embed(by_len[:: max(1, len(texts) // 96)])  # each padded shape is slow, either side pays it
    # Interleaved in 4 slices (encode slice, build slice, ...) so that a busy machine's load
    # swings hit both sides alike; the slices' indexes are merged into the project's cached index.
    raw_s = build_s = 0.0
    parts: list[ProjectIndex] = []
    for slot, ids in enumerate(np.array_split(np.arange(len(docs)), 4)):
        part = [docs[i] for i in ids]
        part_source = LoadedSource(
            "local", "bench", tuple(part), content_hash=hash_documents(part), name="bench"
        )

        def raw(part=part) -> None:
            embedder.model.encode([d.text for d in part], batch_size=64, normalize_embeddings=True,
                                  show_progress_bar=False)  # fmt: skip

        def build(part_source=part_source) -> None:
            parts.append(build_index(part_source, embedder, settings))

        # whichever runs first on a slice meets its padded shapes first (slower): alternate
        for fn in (raw, build) if slot % 2 == 0 else (build, raw):
            t = time.perf_counter()
            fn()
            if fn is raw:
                raw_s += time.perf_counter() - t
            else:
                build_s += time.perf_counter() - t
    index = merge_into_cache(parts, source, embedder, settings)
    assert len(index) == n_real, len(index)
    print(f"  model.encode alone (baseline)               {n_real / raw_s:7.1f} chunks/s  ({raw_s:.1f} s)")
    print(
        f"  build_index (chunk+embed+FAISS+BM25+cache)  {n_real / build_s:7.1f} chunks/s  ({build_s:.1f} s)"
    )
    print(f"  overhead of build_index over encode: {100 * (build_s - raw_s) / raw_s:+.1f} %")

    print("\n2. Re-index an unchanged project (cache hit)")
    t = time.perf_counter()
    again = build_index(source, embedder, settings)
    hit_s = time.perf_counter() - t
    assert again.from_cache
    print(f"  build_index on a cache hit, {n_real:,} chunks: {hit_s * 1000:7.1f} ms   (target < 1000 ms)")
    sample = ROOT / "tests" / "sample_project"
    build_index(load_source(sample, settings), embedder, settings)
    t = time.perf_counter()
    cached = build_index(load_source(sample, settings), embedder, settings)
    sample_s = time.perf_counter() - t
    assert cached.from_cache
    print(f"  load_source + build_index, tests/sample_project (cache hit): {sample_s * 1000:7.1f} ms")

    print("\n3. Query latency (query vector given; k=8)")
    t = time.perf_counter()
    qvecs = embedder.embed(QUERIES)
    single = timed(lambda i: embedder.embed([QUERIES[i % len(QUERIES)]]), 30)
    print(f"  embed one query with MiniLM: p50 {pct(single, 50):.1f} ms (batch of {len(QUERIES)}: "
          f"{(time.perf_counter() - t) * 1000:.0f} ms incl. the singles)")  # fmt: skip
    small = index
    if n_real < N_SMALL:
        small = tiled_index(index, N_SMALL, np.random.default_rng(1))
        print(f"  (the {N_SMALL:,}-chunk index tiles the {n_real:,} real vectors with noise)")
    latency_rows(f"{N_SMALL:,}", small, qvecs, 300)

    t = time.perf_counter()
    large = tiled_index(index, N_LARGE, np.random.default_rng(0))
    print(
        f"  (built the {N_LARGE:,}-chunk tiled index in {time.perf_counter() - t:.1f} s: "
        f"{n_real:,} real vectors x {N_LARGE // n_real} with noise, texts sampled from their words)"
    )
    latency_rows(f"{N_LARGE:,}", large, qvecs, 200)

    from rag.index import _load, _save

    folder = tmp / "data" / "index" / "tiled"
    _save(large, folder, "tiled")
    t = time.perf_counter()
    loaded = _load(folder, embedder, "tiled", "tiled")
    load_s = time.perf_counter() - t
    assert loaded is not None and len(loaded) == N_LARGE
    print(f"\n4. Loading a cached {N_LARGE:,}-chunk index from disk: {load_s * 1000:.0f} ms")
    print(
        f"\ntotal bench time {time.perf_counter() - started:.0f} s (load average now {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
