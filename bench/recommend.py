"""Benchmark: recommendations per second for 1,000 users and 10,000 items.

Synthetic data: 20 topics; each item belongs to one topic and its 384-d
embedding is the topic's direction plus noise; each user likes two topics and
rates about 30 items (ratings higher on liked topics, with noise). The share
of each user's top 10 that falls in their liked topics shows the scores mean
something, next to a popularity-only ranking. Speed is measured for one user
at a time and for batches of 100, next to a dense-numpy baseline in the same
process. BLAS runs single-threaded (as one Streamlit request would use it on a
busy 2-core machine).

Run: .venv/bin/python bench/recommend.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.recommend import RecommendModel  # noqa: E402

USERS, ITEMS, TOPICS, DIM, PER_USER = 1000, 10_000, 20, 384, 30


def make_data(seed: int = 0):
    """Ratings, item vectors, trending scores, each item's topic and each user's liked topics."""
    rng = np.random.default_rng(seed)
    topic_of = rng.integers(TOPICS, size=ITEMS)
    centres = rng.normal(size=(TOPICS, DIM))
    vectors = centres[topic_of] + 1.5 * rng.normal(size=(ITEMS, DIM))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    rows, cols, vals, likes = [], [], [], []
    for u in range(USERS):
        liked = rng.choice(TOPICS, 2, replace=False)
        likes.append(liked)
        pool = np.flatnonzero(np.isin(topic_of, liked))
        picks = np.concatenate(
            [rng.choice(pool, 20, replace=False), rng.choice(ITEMS, PER_USER - 20, replace=False)]
        )
        picks = np.unique(picks)
        good = np.isin(topic_of[picks], liked)
        stars = np.clip(np.round(np.where(good, 4.3, 2.2) + rng.normal(0, 0.8, len(picks))), 1, 5)
        for item, s in zip(picks, stars, strict=True):
            rows.append(u)
            cols.append(int(item))
            vals.append((s - 3) / 2 or 1e-6)
    R = sparse.csr_matrix((vals, (rows, cols)), shape=(USERS, ITEMS))
    popularity = np.asarray((R > 0).sum(axis=0)).ravel().astype(float)
    trend = popularity / popularity.max()
    return R, vectors, trend, topic_of, np.asarray(likes)


def dense_baseline(R: np.ndarray, V: np.ndarray, trend: np.ndarray, user: int, k: int = 10) -> np.ndarray:
    """The same hybrid score with dense arrays and no neighbour cut, one user at a time."""
    norms = np.linalg.norm(R, axis=1) + 1e-12
    sims = (R @ R[user]) / (norms * norms[user])
    sims[user] = 0
    sims[sims < 0] = 0
    collab = sims @ R
    profile = R[user] @ V
    content = V @ (profile / (np.linalg.norm(profile) + 1e-12))

    def mm(x):
        return (x - x.min()) / (np.ptp(x) + 1e-12)

    score = 0.4 * mm(collab) + 0.4 * mm(content) + 0.2 * trend
    score[R[user] != 0] = -np.inf
    return np.argsort(-score)[:k]


def main() -> int:
    t0 = time.perf_counter()
    R, V, trend, topic_of, likes = make_data()
    built = time.perf_counter()
    model = RecommendModel(R, V, trend)
    ready = time.perf_counter()
    print(f"Recommendations: {USERS:,} users x {ITEMS:,} items, {R.nnz:,} ratings, {DIM}-d embeddings")
    print(f"data {built - t0:.1f} s, model build {1000 * (ready - built):.0f} ms")

    n_single = 200
    start = time.perf_counter()
    for u in range(n_single):
        model.recommend(u, 10)
    single = n_single / (time.perf_counter() - start)

    start = time.perf_counter()
    tops = []
    for b in range(0, USERS, 100):
        tops.extend(model.recommend_many(list(range(b, b + 100)), 10))
    batch = USERS / (time.perf_counter() - start)

    dense_R = R.toarray()
    n_dense = 50
    start = time.perf_counter()
    for u in range(n_dense):
        dense_baseline(dense_R, V, trend, u)
    dense = n_dense / (time.perf_counter() - start)

    popular = np.argsort(-trend)
    on_topic = np.mean([np.isin(topic_of[[i for i, _, _ in tops[u]]], likes[u]).mean() for u in range(USERS)])
    pop_topic = []
    for u in range(USERS):
        rated = set(R[u].indices)
        top = [i for i in popular[:60] if i not in rated][:10]
        pop_topic.append(np.isin(topic_of[top], likes[u]).mean())
    print(f"{'method':<34} {'recs/s':>10}")
    print(f"{'hybrid, one user at a time':<34} {single:>10.0f}")
    print(f"{'hybrid, batches of 100 users':<34} {batch:>10.0f}")
    print(f"{'baseline: dense numpy, one user':<34} {dense:>10.0f}")
    print(
        f"share of the top 10 in the user's liked topics: hybrid {on_topic:.1%}, "
        f"popularity only {np.mean(pop_topic):.1%} (chance {2 / TOPICS:.0%})"
    )
    print(f"elapsed {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
