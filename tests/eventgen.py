"""Generate realistic Herald event logs with known distributions, for tests and bench/metrics.py.

One simulated post emits the pipeline's steps (load_source, index, retrieve,
generate, guard, moderation, store) and sometimes export, rating, reward and a
video render. Distributions are parameters, so a test can shift one and expect
drift to be found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

__all__ = ["GenParams", "generate_events", "write_events", "PROVIDERS", "LEVELS"]

PROVIDERS = ("groq", "local", "template")
LEVELS = ("approved", "flagged", "review_required", "rejected")


@dataclass(frozen=True)
class GenParams:
    """Distribution parameters of one stretch of simulated traffic."""

    latency_mean_ms: float = 900.0
    latency_sigma: float = 0.5
    quality_mean: float = 68.0
    confidence_a: float = 8.0
    confidence_b: float = 2.0
    provider_p: tuple[float, float, float] = (0.6, 0.3, 0.1)
    level_p: tuple[float, float, float, float] = (0.8, 0.12, 0.06, 0.02)
    stars_p: tuple[float, float, float, float, float] = (0.05, 0.1, 0.2, 0.35, 0.3)


def generate_events(
    n_posts: int,
    *,
    start: datetime | None = None,
    span_h: float = 48.0,
    params: GenParams = GenParams(),
    seed: int = 0,
    first_item: int = 1,
) -> list[dict]:
    """Events of `n_posts` simulated posts spread evenly over `span_h` hours, in time order."""
    rng = np.random.default_rng(seed)
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    step_s = span_h * 3600 / max(1, n_posts)
    providers = rng.choice(len(PROVIDERS), size=n_posts, p=params.provider_p)
    levels = rng.choice(len(LEVELS), size=n_posts, p=params.level_p)
    stars = rng.choice(5, size=n_posts, p=params.stars_p) + 1
    latency = rng.lognormal(np.log(params.latency_mean_ms), params.latency_sigma, size=n_posts)
    quality = np.clip(rng.normal(params.quality_mean, 10, size=n_posts), 0, 100)
    confidence = rng.beta(params.confidence_a, params.confidence_b, size=n_posts)
    extras = rng.random((n_posts, 4))
    out: list[dict] = []
    for i in range(n_posts):
        t = start + timedelta(seconds=i * step_s)
        item = first_item + i
        provider = PROVIDERS[providers[i]]

        def ev(step: str, dt: float, t: datetime = t, item: int = item, **fields) -> dict:
            base = {
                "ts": (t + timedelta(seconds=dt)).isoformat(timespec="milliseconds"),
                "step": step,
                "item_id": item,
                "provider": None,
                "latency_ms": None,
                "outcome": "ok",
                "scores": {},
            }
            base.update(fields)
            return base

        out.append(ev("load_source", 0.0, latency_ms=round(40 + 30 * extras[i, 0], 3)))
        out.append(ev("index", 0.1, latency_ms=round(15 + 10 * extras[i, 1], 3)))
        out.append(ev("retrieve", 0.2, latency_ms=round(4 + 3 * extras[i, 2], 3)))
        fallback = providers[i] > 0
        tokens_in = int(600 + 200 * extras[i, 0])
        out.append(
            ev(
                "generate",
                0.3,
                provider=provider,
                latency_ms=round(float(latency[i]), 3),
                scores={"quality": round(float(quality[i]), 2)},
                quality=round(float(quality[i]), 2),
                attempts=int(providers[i]) + 1,
                fallback=bool(fallback),
                model="llama-3.3-70b-versatile" if provider == "groq" else provider,
                tokens_in=tokens_in if provider == "groq" else 0,
                tokens_out=int(180 + 80 * extras[i, 1]) if provider == "groq" else 0,
            )
        )
        conf = round(float(confidence[i]), 4)
        out.append(
            ev(
                "guard",
                1.2,
                latency_ms=round(80 + 60 * extras[i, 2], 3),
                scores={"confidence": conf, "unsupported_share": round(max(0.0, 1 - conf - 0.1), 4)},
                confidence=conf,
            )
        )
        level = LEVELS[levels[i]]
        out.append(ev("moderation", 1.4, latency_ms=round(30 + 20 * extras[i, 3], 3), level=level))
        out.append(ev("store", 1.5, latency_ms=round(2 + extras[i, 0], 3)))
        if extras[i, 1] < 0.5:
            out.append(ev("rating", 60.0, stars=int(stars[i]), scores={"stars": int(stars[i])}))
            out.append(ev("reward", 60.1, reward=round((int(stars[i]) - 3) / 2, 3)))
        if extras[i, 2] < 0.2:
            out.append(ev("export", 90.0, latency_ms=round(5 + extras[i, 3], 3), format="linkedin"))
        if extras[i, 3] < 0.1:
            dur = round(20 + 40 * extras[i, 0], 2)
            out.append(ev("render", 120.0, latency_ms=dur * 40, render_s=round(dur / 25, 3), duration_s=dur))
    out.sort(key=lambda e: e["ts"])  # a log is appended in time order
    return out


def write_events(path: Path, events: list[dict]) -> Path:
    """Write events as JSONL (appending) and return the path."""
    import orjson

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as fh:
        fh.write(b"".join(orjson.dumps(e, option=orjson.OPT_SERIALIZE_NUMPY) + b"\n" for e in events))
    return path
