"""Recommendations and trending: which stored posts a user should look at next.

A hybrid score per item, each part scaled to 0-1 over the candidates:

- collaborative (weight 0.4): user-based; cosine similarity between users'
  rating rows (stars mapped to [-1, 1], likes +1, dislikes -1), the 50 most
  similar users' ratings summed by similarity;
- content (0.4): cosine similarity between an item's embedding and the user's
  profile (the embeddings of what they rated, weighted by the rating; for a
  user with no ratings, of what they created);
- trending (0.2): rating and export velocity, each event decayed
  exponentially with age (half-life `trending_half_life_h`).

Weights come from `recommend_weights`; a part that is unavailable (no ratings
yet: cold start, or no embeddings) is dropped and the others re-weighted, so a
new user gets content and trending. Items the user already rated, and rejected
items, are never recommended. `RecommendModel` is the vectorised core over
numpy / scipy.sparse arrays (no storage); `recommend` and `trending` load it
from the store, embedding each item's latest text once (cached in
`item_embeddings`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy import sparse

from core.errors import InvalidInputError
from core.services import Services

__all__ = [
    "Recommendation",
    "Recommendations",
    "TrendingItem",
    "RecommendModel",
    "recommend",
    "trending",
    "trending_scores",
    "NEIGHBOURS",
]

LOG = logging.getLogger(__name__)
NEIGHBOURS = 50
PARTS = ("collaborative", "content", "trending")
REASONS = {
    "collaborative": "liked by people who rate like you",
    "content": "similar to posts you rated well",
    "trending": "trending now",
}


@dataclass(frozen=True)
class Recommendation:
    """One recommended item with its hybrid score and the parts of it."""

    item_id: int
    title: str
    score: float
    collaborative: float
    content: float
    trending: float
    reason: str


@dataclass(frozen=True)
class Recommendations:
    """A user's recommendations and which parts of the score were available."""

    user: str
    items: tuple[Recommendation, ...]
    cold_start: bool
    parts_used: tuple[str, ...]
    seconds: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrendingItem:
    """An item's trending score (decayed rating and export velocity)."""

    item_id: int
    title: str
    score: float
    ratings: int
    exports: int


def _minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Scale to 0-1 over the candidates (mask); all-equal scores become 0."""
    out = np.zeros_like(x, dtype=np.float64)
    if not mask.any():
        return out
    lo, hi = x[mask].min(), x[mask].max()
    if hi - lo > 1e-12:
        out = (x - lo) / (hi - lo)
    return np.clip(out, 0.0, 1.0)


class RecommendModel:
    """Hybrid scorer over a users x items rating matrix, item vectors and trending scores."""

    def __init__(
        self,
        ratings: sparse.csr_matrix,
        item_vectors: np.ndarray | None,
        trending: np.ndarray,
        weights: tuple[float, float, float] = (0.4, 0.4, 0.2),
        allowed: np.ndarray | None = None,
    ):
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise InvalidInputError("HERALD_RECOMMEND_WEIGHTS must be three non-negative numbers, not all 0")
        self.R = sparse.csr_matrix(ratings, dtype=np.float64)
        n_users, n_items = self.R.shape
        norms = np.sqrt(np.asarray(self.R.multiply(self.R).sum(axis=1)).ravel())
        self.Rn = sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ self.R
        self.RnT = self.Rn.T.tocsr()
        empty = item_vectors is None or len(item_vectors) == 0
        self.V = None if empty else np.ascontiguousarray(item_vectors, dtype=np.float32)
        self.R32 = self.R.astype(np.float32)
        self.trending = np.asarray(trending, dtype=np.float64)
        self.weights = dict(zip(PARTS, weights, strict=True))
        self.allowed = np.ones(n_items, bool) if allowed is None else np.asarray(allowed, bool)

    @property
    def shape(self) -> tuple[int, int]:
        """(users, items)."""
        return self.R.shape

    def _collaborative(self, users: np.ndarray) -> np.ndarray:
        sims = (self.Rn[users] @ self.RnT).toarray()  # batch x users
        sims[np.arange(len(users)), users] = 0.0
        sims[sims < 0] = 0.0
        if sims.shape[1] > NEIGHBOURS:
            cut = np.partition(sims, -NEIGHBOURS, axis=1)[:, -NEIGHBOURS][:, None]
            sims[sims < cut] = 0.0
        return (sparse.csr_matrix(sims) @ self.R).toarray()

    def _profiles(self, users: np.ndarray, extra_profile: np.ndarray | None) -> np.ndarray | None:
        if self.V is None:
            return None
        profiles = np.asarray(self.R32[users] @ self.V, dtype=np.float32)  # batch x dim
        if extra_profile is not None:
            empty = ~np.any(profiles, axis=1)
            profiles[empty] = extra_profile
        norms = np.linalg.norm(profiles, axis=1, keepdims=True)
        return (profiles / np.maximum(norms, 1e-12)).astype(np.float32)

    def score(
        self, users: np.ndarray | list[int], extra_profile: np.ndarray | None = None
    ) -> tuple[np.ndarray, dict[str, np.ndarray], list[tuple[str, ...]]]:
        """Hybrid scores (batch x items, -inf where excluded), the scaled parts, and the parts used per user."""
        users = np.asarray(users, dtype=np.int64)
        b, n_items = len(users), self.R.shape[1]
        rated = self.R[users].toarray() != 0
        candidates = ~rated & self.allowed[None, :]
        has_ratings = rated.any(axis=1)
        raw = {"collaborative": self._collaborative(users) if self.R.nnz else np.zeros((b, n_items))}
        profiles = self._profiles(users, extra_profile)
        raw["content"] = (
            (profiles @ self.V.T).astype(np.float64) if profiles is not None else np.zeros((b, n_items))
        )
        raw["trending"] = np.broadcast_to(self.trending, (b, n_items))
        parts = {k: np.zeros((b, n_items)) for k in PARTS}
        total = np.zeros((b, n_items))
        used: list[tuple[str, ...]] = []
        for row in range(b):
            mask = candidates[row]
            available = []
            for name in PARTS:
                signal = raw[name][row]
                ok = self.weights[name] > 0 and mask.any() and np.ptp(signal[mask]) > 1e-12
                if name == "collaborative":
                    ok = ok and has_ratings[row]
                if name == "content":
                    ok = ok and profiles is not None and bool(np.any(profiles[row]))
                if ok:
                    parts[name][row] = _minmax(signal, mask)
                    available.append(name)
            weight = sum(self.weights[n] for n in available) or 1.0
            for name in available:
                total[row] += self.weights[name] / weight * parts[name][row]
            total[row][~mask] = -np.inf
            used.append(tuple(available))
        return total, parts, used

    def recommend(
        self, user: int, k: int = 10, extra_profile: np.ndarray | None = None
    ) -> list[tuple[int, float, dict[str, float]]]:
        """Top-k (item index, score, parts) for one user index."""
        return self.recommend_many([user], k, extra_profile)[0]

    def recommend_many(
        self, users: list[int] | np.ndarray, k: int = 10, extra_profile: np.ndarray | None = None
    ) -> list[list[tuple[int, float, dict[str, float]]]]:
        """Top-k for each user index in one vectorised pass."""
        total, parts, _ = self.score(users, extra_profile)
        out = []
        for row in range(total.shape[0]):
            finite = np.isfinite(total[row])
            kk = min(k, int(finite.sum()))
            if kk == 0:
                out.append([])
                continue
            top = np.argpartition(-np.where(finite, total[row], -1e9), kk - 1)[:kk]
            top = top[np.argsort(-total[row][top], kind="stable")]
            out.append(
                [(int(i), float(total[row, i]), {p: float(parts[p][row, i]) for p in PARTS}) for i in top]
            )
        return out


# --- loading from the store ---------------------------------------------------
def _hours_ago(stamps: list[str], now: datetime) -> np.ndarray:
    out = []
    for s in stamps:
        try:
            t = datetime.fromisoformat(s)
            t = t if t.tzinfo else t.replace(tzinfo=UTC)
            out.append(max(0.0, (now - t).total_seconds() / 3600))
        except (TypeError, ValueError):
            out.append(1e6)
    return np.asarray(out, dtype=np.float64)


def _rating_value(stars: Any, liked: Any) -> float:
    if stars is not None:
        return (float(stars) - 3.0) / 2.0
    if liked in (1, -1):
        return float(liked)
    return 0.0


def trending_scores(
    item_index: np.ndarray, hours_ago: np.ndarray, weights: np.ndarray, n_items: int, half_life_h: float
) -> np.ndarray:
    """Sum of event weights decayed by 0.5 ** (age / half-life), per item, scaled to 0-1 by the max."""
    decay = np.power(0.5, hours_ago / max(half_life_h, 1e-6))
    scores = np.bincount(item_index, weights=weights * decay, minlength=n_items).astype(np.float64)
    top = scores.max() if len(scores) else 0.0
    return scores / top if top > 0 else scores


def _load(services: Services, now: datetime | None) -> dict[str, Any]:
    store = services.store
    now = now or datetime.now(UTC)
    items = store.query("SELECT id, title, status, created_by FROM items ORDER BY id")
    index = {r["id"]: i for i, r in enumerate(items)}
    ratings = [
        r
        for r in store.query("SELECT user, item_id, stars, liked, created_at FROM ratings ORDER BY id")
        if r["item_id"] in index
    ]
    exports = [
        r
        for r in store.query(
            "SELECT item_id, created_at FROM agent_rewards WHERE event IN ('export', 'share') AND item_id IS NOT NULL"
        )
        if r["item_id"] in index
    ]
    users = sorted({r["user"] for r in ratings})
    uidx = {u: i for i, u in enumerate(users)}
    cells: dict[tuple[int, int], list[float]] = {}
    for r in ratings:
        if r["stars"] is None and r["liked"] is None:
            continue
        cells.setdefault((uidx[r["user"]], index[r["item_id"]]), []).append(
            _rating_value(r["stars"], r["liked"])
        )
    rows, cols = zip(*cells, strict=False) if cells else ((), ())
    # A tiny offset keeps a neutral rating (3 stars) stored, so "already rated" still excludes it.
    vals = [float(np.mean(v)) or 1e-6 for v in cells.values()]
    R = sparse.csr_matrix((vals, (rows, cols)), shape=(max(1, len(users)), len(items)))
    positivity = [(0.5 + 0.5 * (v + 1) / 2) for v in (_rating_value(r["stars"], r["liked"]) for r in ratings)]
    ev_items = np.asarray(
        [index[r["item_id"]] for r in ratings] + [index[r["item_id"]] for r in exports], np.int64
    )
    ev_hours = _hours_ago([r["created_at"] for r in ratings] + [r["created_at"] for r in exports], now)
    ev_weights = np.asarray(positivity + [1.0] * len(exports), np.float64)
    trend = trending_scores(
        ev_items, ev_hours, ev_weights, len(items), services.settings.trending_half_life_h
    )
    counts_r = (
        np.bincount([index[r["item_id"]] for r in ratings], minlength=len(items)) if items else np.zeros(0)
    )
    counts_e = (
        np.bincount([index[r["item_id"]] for r in exports], minlength=len(items)) if items else np.zeros(0)
    )
    return {
        "items": items,
        "index": index,
        "users": uidx,
        "R": R,
        "trend": trend,
        "counts": (counts_r, counts_e),
    }


def _item_vectors(services: Services, items: list[dict[str, Any]]) -> np.ndarray | None:
    """Embeddings of each item's latest active text, cached per version in `item_embeddings`."""
    store = services.store
    if not items:
        return None
    latest = {
        r["item_id"]: r
        for r in store.query(
            "SELECT v.item_id, v.id, v.text FROM versions v JOIN (SELECT item_id, MAX(number) AS n FROM versions"
            " WHERE state = 'active' GROUP BY item_id) m ON m.item_id = v.item_id AND m.n = v.number"
        )
    }
    embedder = services.embedder()
    model = str(getattr(embedder, "name", type(embedder).__name__))
    cached = {
        r["version_id"]: np.frombuffer(r["vector"], dtype=np.float32)
        for r in store.query("SELECT version_id, vector FROM item_embeddings WHERE model = ?", (model,))
    }
    missing = [latest[i["id"]] for i in items if i["id"] in latest and latest[i["id"]]["id"] not in cached]
    if missing:
        vectors = np.asarray(embedder.embed([m["text"] for m in missing]), dtype=np.float32)
        with store.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO item_embeddings(version_id, model, dim, vector) VALUES (?,?,?,?)",
                [
                    (m["id"], model, vectors.shape[1], v.tobytes())
                    for m, v in zip(missing, vectors, strict=True)
                ],
            )
        cached.update({m["id"]: v for m, v in zip(missing, vectors, strict=True)})
    dim = len(next(iter(cached.values()))) if cached else 0
    out = np.zeros((len(items), dim), dtype=np.float32)
    for row, item in enumerate(items):
        version = latest.get(item["id"])
        if version is not None and version["id"] in cached:
            vec = cached[version["id"]]
            out[row] = vec / max(float(np.linalg.norm(vec)), 1e-12)
    return out


def recommend(services: Services, user: str, k: int = 10, *, now: datetime | None = None) -> Recommendations:
    """The top-k items for a user: hybrid of collaborative, content and trending, rated items excluded."""
    user = (user or "").strip()
    if not user:
        raise InvalidInputError("Name a user to recommend for, e.g. --user ana")
    if not 1 <= int(k) <= 100:
        raise InvalidInputError("Ask for 1 to 100 recommendations")
    started = time.perf_counter()
    data = _load(services, now)
    items, notes = data["items"], []
    if not items:
        return Recommendations(
            user, (), True, (), time.perf_counter() - started, ("No items yet: generate a post first",)
        )
    try:
        vectors = _item_vectors(services, items)
    except Exception as exc:  # a missing model must not break recommendations: fall back to the other parts
        LOG.warning("Content part unavailable: %s", exc)
        vectors, notes = None, [f"content similarity unavailable: {exc}"]
    R = data["R"]
    known = user in data["users"]
    if not known:  # a new user: an empty row at the end of the matrix
        R = sparse.vstack([R, sparse.csr_matrix((1, R.shape[1]))]).tocsr()
    row = data["users"].get(user, R.shape[0] - 1)
    allowed = np.asarray([i["status"] != "rejected" for i in items])
    model = RecommendModel(R, vectors, data["trend"], services.settings.recommend_weights, allowed)
    own = [data["index"][i["id"]] for i in items if i["created_by"] == user]
    extra = vectors[own].mean(axis=0) if vectors is not None and own else None
    total, parts, used = model.score([row], extra)
    ranked = model.recommend_many([row], k, extra)[0]
    recs = []
    for idx, score, p in ranked:
        top = max(used[0], key=lambda n: model.weights[n] * p[n], default="trending")
        recs.append(
            Recommendation(
                items[idx]["id"],
                items[idx]["title"],
                round(score, 4),
                round(p["collaborative"], 4),
                round(p["content"], 4),
                round(p["trending"], 4),
                REASONS[top],
            )
        )
    cold = not known or R[row].nnz == 0
    return Recommendations(user, tuple(recs), cold, used[0], time.perf_counter() - started, tuple(notes))


def trending(services: Services, k: int = 10, *, now: datetime | None = None) -> list[TrendingItem]:
    """The k items with the highest decayed rating and export velocity."""
    data = _load(services, now)
    items, trend = data["items"], data["trend"]
    counts_r, counts_e = data["counts"]
    order = [i for i in np.argsort(-trend, kind="stable") if trend[i] > 0][: max(1, int(k))]
    return [
        TrendingItem(
            items[i]["id"], items[i]["title"], round(float(trend[i]), 4), int(counts_r[i]), int(counts_e[i])
        )
        for i in order
    ]
