"""Aggregates over the events frame from `utils.metrics`: what the Dashboard and `core metrics` show.

Pure functions: frame in, small frame or dict out. Each one tolerates missing
columns and steps (it returns an empty frame), because the steps that feed it
land at different times. Step and field aliases (`rate` and `rating`,
`scores.stars` and `stars`) are resolved here, once. No I/O, no plotting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "STEP_ALIASES",
    "FIELD_ALIASES",
    "column",
    "steps_frame",
    "split_steps",
    "value_counts",
    "equals_mask",
    "choose_freq",
    "with_bucket",
    "latency_percentiles",
    "latency_table",
    "provider_reliability",
    "guard_over_time",
    "moderation_over_time",
    "ratings_distribution",
    "ratings_trend",
    "reward_over_time",
    "renders_over_time",
    "cost_by_provider",
    "items_behind",
    "summarise",
]

STEP_ALIASES: dict[str, tuple[str, ...]] = {
    "generate": ("generate",),
    "attempt": ("provider_attempt", "attempt"),
    "guard": ("guard", "guard_check"),
    "moderation": ("moderation", "moderate"),
    "rating": ("rating", "rate", "video_rating"),
    "reward": ("reward", "agent_reward"),
    "render": ("render", "video_render"),
    "review": ("review", "review_decision"),
}
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "quality": ("quality", "score_quality"),
    "confidence": ("confidence", "score_confidence", "guard_confidence", "score_guard_confidence"),
    "unsupported_share": ("unsupported_share", "score_unsupported_share", "score_unsupported_rate"),
    "stars": ("stars", "score_stars"),
    "reward": ("reward", "score_reward"),
    "render_s": ("render_s", "score_render_s"),
    "duration_s": ("duration_s", "score_duration_s"),
    "tokens_in": ("tokens_in", "score_tokens_in"),
    "tokens_out": ("tokens_out", "score_tokens_out"),
    "fallback": ("fallback", "score_fallback"),
    "level": ("level", "moderation_level"),
}
PERCENTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))


def column(frame: pd.DataFrame, name: str) -> pd.Series | None:
    """The first present alias of a field, merged across aliases (None when no alias is logged)."""
    found = [frame[c] for c in FIELD_ALIASES.get(name, (name,)) if c in frame.columns]
    if not found:
        return None
    out = found[0]
    for other in found[1:]:
        out = out.where(out.notna(), other) if out.dtype == other.dtype else out.combine_first(other)
    return out


def value_counts(series: pd.Series, normalize: bool = False) -> pd.Series:
    """Counts (or shares) per value with a plain str index; fast on categorical columns, NaN dropped."""
    counts = series.value_counts(normalize=normalize, dropna=True)
    counts = counts[counts > 0]
    counts.index = counts.index.astype(object).map(str)
    return counts


def equals_mask(series: pd.Series, value: Any) -> np.ndarray:
    """Boolean mask of `series == value`, comparing as text, without converting a big column to str."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = [c for c in series.cat.categories if str(c) == str(value)]
        return np.isin(series.cat.codes.to_numpy(), [series.cat.categories.get_loc(c) for c in cats])
    return (series.astype(str) == str(value)).to_numpy()


def steps_frame(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Rows whose step is one of the aliases of `kind` (e.g. "rating" matches rate and video_rating)."""
    if frame.empty or "step" not in frame.columns:
        return frame.iloc[:0]
    names = STEP_ALIASES.get(kind, (kind,))
    step = frame["step"]
    if isinstance(step.dtype, pd.CategoricalDtype):
        codes = [step.cat.categories.get_loc(n) for n in names if n in step.cat.categories]
        if not codes:
            return frame.iloc[:0]
        return frame[np.isin(step.cat.codes.to_numpy(), codes)]
    return frame[step.isin(names)]


def split_steps(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One sub-frame per step kind of `STEP_ALIASES` (filter a big frame once, not per chart)."""
    return {kind: steps_frame(frame, kind) for kind in STEP_ALIASES}


def choose_freq(start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    """Bucket size for a period: hours up to 3 days, days up to 90 days, else weeks."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return "D"
    span = end - start
    if span <= pd.Timedelta(days=3):
        return "h"
    if span <= pd.Timedelta(days=90):
        return "D"
    return "W"


def with_bucket(frame: pd.DataFrame, freq: str) -> pd.DataFrame:
    """The frame plus a `bucket` column (ts floored to `freq`; weeks start on Monday)."""
    if "ts" not in frame.columns:
        return frame.assign(bucket=pd.Series(dtype="datetime64[us, UTC]"))
    ts = frame["ts"]
    if freq == "W":
        bucket = (ts - pd.to_timedelta(ts.dt.dayofweek, unit="D")).dt.floor("D")
    else:
        bucket = ts.dt.floor(freq)
    return frame.assign(bucket=bucket)


def _quantiles(grouped: Any, value: str) -> pd.DataFrame:
    parts = {name: grouped[value].quantile(q) for name, q in PERCENTILES}
    parts["n"] = grouped[value].count()
    return pd.DataFrame(parts).reset_index()


def latency_percentiles(frame: pd.DataFrame, by: str = "step") -> pd.DataFrame:
    """p50/p95/p99 latency (ms) per bucket and per `by` (step or provider); needs a bucket column."""
    cols = ["bucket", by, "p50", "p95", "p99", "n"]
    if frame.empty or by not in frame.columns or "latency_ms" not in frame.columns:
        return pd.DataFrame(columns=cols)
    sub = frame.loc[frame["latency_ms"].notna() & frame[by].notna(), ["bucket", by, "latency_ms"]]
    if sub.empty:
        return pd.DataFrame(columns=cols)
    out = _quantiles(sub.groupby(["bucket", by], observed=True, sort=True), "latency_ms")
    out[by] = out[by].astype(str)
    return out[out["n"] > 0][cols]


def latency_table(frame: pd.DataFrame, by: str = "provider") -> pd.DataFrame:
    """p50/p95/p99 latency (ms) and count per step or provider over the whole period."""
    cols = [by, "p50", "p95", "p99", "n"]
    if frame.empty or by not in frame.columns or "latency_ms" not in frame.columns:
        return pd.DataFrame(columns=cols)
    sub = frame.loc[frame["latency_ms"].notna() & frame[by].notna(), [by, "latency_ms"]]
    if sub.empty:
        return pd.DataFrame(columns=cols)
    out = _quantiles(sub.groupby(by, observed=True, sort=True), "latency_ms")
    out[by] = out[by].astype(str)
    return out[out["n"] > 0][cols].sort_values("n", ascending=False, ignore_index=True)


def provider_reliability(frame: pd.DataFrame) -> pd.DataFrame:
    """Per provider: attempts, errors, error rate, posts served, fallback rate, last latency and error."""
    cols = ["provider", "attempts", "errors", "error_rate", "posts", "fallbacks", "fallback_rate"]
    cols += ["last_latency_ms", "last_error", "last_ts"]
    if frame.empty or "provider" not in frame.columns:
        return pd.DataFrame(columns=cols)
    attempts = steps_frame(frame, "attempt")
    attempts = attempts[attempts["provider"].notna()]
    gen = steps_frame(frame, "generate")
    gen = gen[gen["provider"].notna()]
    if attempts.empty and gen.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    names = sorted(set(value_counts(attempts["provider"]).index) | set(value_counts(gen["provider"]).index))
    fallback = column(gen, "fallback")
    if fallback is None and "attempts" in gen.columns:
        fallback = (gen["attempts"] > 1).astype(float)
    for name in names:
        a = attempts[equals_mask(attempts["provider"], name)]
        g_mask = equals_mask(gen["provider"], name)
        errors = int(equals_mask(a["outcome"], "error").sum()) if len(a) else 0
        n_fb = int(np.nansum(fallback[g_mask].to_numpy(dtype=float))) if fallback is not None else 0
        both = pd.concat([a, gen[g_mask]]) if len(a) else gen[g_mask]
        lat = both["latency_ms"].dropna() if "latency_ms" in both.columns else pd.Series(dtype=float)
        errs = a[equals_mask(a["outcome"], "error")] if len(a) else a
        last_error = ""
        if len(errs) and "error" in errs.columns:
            last_error = str(errs["error"].dropna().iloc[-1]) if errs["error"].notna().any() else "error"
        posts = int(g_mask.sum())
        rows.append(
            {
                "provider": name,
                "attempts": len(a),
                "errors": errors,
                "error_rate": errors / len(a) if len(a) else np.nan,
                "posts": posts,
                "fallbacks": n_fb,
                "fallback_rate": n_fb / posts if posts else np.nan,
                "last_latency_ms": float(lat.iloc[-1]) if len(lat) else np.nan,
                "last_error": last_error,
                "last_ts": both["ts"].max() if len(both) else pd.NaT,
            }
        )
    return pd.DataFrame(rows, columns=cols)


def guard_over_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Per bucket: mean guard confidence, share of unsupported claims, checks."""
    cols = ["bucket", "confidence", "unsupported_share", "n"]
    sub = steps_frame(frame, "guard")
    conf = column(sub, "confidence")
    share = column(sub, "unsupported_share")
    if sub.empty or (conf is None and share is None):
        return pd.DataFrame(columns=cols)
    data = pd.DataFrame(
        {
            "bucket": sub["bucket"],
            "confidence": conf if conf is not None else np.nan,
            "unsupported_share": share if share is not None else np.nan,
        }
    )
    g = data.groupby("bucket", sort=True)
    out = g.agg(confidence=("confidence", "mean"), unsupported_share=("unsupported_share", "mean"))
    out["n"] = g.size()
    return out.reset_index()[cols]


def moderation_over_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Per bucket and moderation level: count and share of that bucket."""
    cols = ["bucket", "level", "n", "share"]
    sub = steps_frame(frame, "moderation")
    level = column(sub, "level")
    if sub.empty or level is None:
        return pd.DataFrame(columns=cols)
    data = pd.DataFrame({"bucket": sub["bucket"], "level": level})
    data = data[level.notna().to_numpy()]
    out = data.groupby(["bucket", "level"], sort=True, observed=True).size().rename("n").reset_index()
    out = out[out["n"] > 0]
    out["level"] = out["level"].astype(object).map(str)
    out["share"] = out["n"] / out.groupby("bucket")["n"].transform("sum")
    return out[cols]


def ratings_distribution(frame: pd.DataFrame) -> pd.DataFrame:
    """Count of ratings per star value 1-5."""
    sub = steps_frame(frame, "rating")
    stars = column(sub, "stars")
    counts = pd.Series(0, index=range(1, 6), dtype="int64")
    if stars is not None:
        s = stars.dropna().round().astype(int)
        counts = counts.add(s[s.between(1, 5)].value_counts(), fill_value=0).astype("int64")
    return pd.DataFrame({"stars": counts.index, "n": counts.to_numpy()})


def ratings_trend(frame: pd.DataFrame) -> pd.DataFrame:
    """Per bucket: mean stars and number of ratings."""
    cols = ["bucket", "mean_stars", "n"]
    sub = steps_frame(frame, "rating")
    stars = column(sub, "stars")
    if sub.empty or stars is None:
        return pd.DataFrame(columns=cols)
    data = pd.DataFrame({"bucket": sub["bucket"], "stars": stars}).dropna()
    out = data.groupby("bucket", sort=True)["stars"].agg(mean_stars="mean", n="count").reset_index()
    return out[cols]


def reward_over_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Per bucket: mean agent reward, count, and the running mean over all rewards so far."""
    cols = ["bucket", "mean_reward", "n", "running_mean"]
    sub = steps_frame(frame, "reward")
    reward = column(sub, "reward")
    if sub.empty or reward is None:
        return pd.DataFrame(columns=cols)
    data = pd.DataFrame({"bucket": sub["bucket"], "reward": reward}).dropna()
    out = data.groupby("bucket", sort=True)["reward"].agg(mean_reward="mean", n="count", total="sum")
    out["running_mean"] = out["total"].cumsum() / out["n"].cumsum()
    return out.reset_index()[cols]


def renders_over_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Per bucket: video renders, failures, mean render time, mean video length, speed (x real time)."""
    cols = ["bucket", "renders", "failed", "render_s", "duration_s", "speed_x"]
    sub = steps_frame(frame, "render")
    if sub.empty:
        return pd.DataFrame(columns=cols)
    render_s = column(sub, "render_s")
    duration = column(sub, "duration_s")
    data = pd.DataFrame(
        {
            "bucket": sub["bucket"],
            "failed": (~equals_mask(sub["outcome"], "ok")).astype(int),
            "render_s": render_s if render_s is not None else np.nan,
            "duration_s": duration if duration is not None else np.nan,
        }
    )
    g = data.groupby("bucket", sort=True)
    out = g.agg(failed=("failed", "sum"), render_s=("render_s", "mean"), duration_s=("duration_s", "mean"))
    out["renders"] = g.size()
    sums = g[["render_s", "duration_s"]].sum(min_count=1)
    out["speed_x"] = sums["duration_s"] / sums["render_s"].where(sums["render_s"] > 0)
    return out.reset_index()[cols]


def cost_by_provider(frame: pd.DataFrame, prices: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """Per provider that reports tokens: posts, tokens in/out, tokens per post, estimated cost."""
    cols = ["provider", "posts", "tokens_in", "tokens_out", "tokens_per_post", "cost"]
    if frame.empty or "provider" not in frame.columns:
        return pd.DataFrame(columns=cols)
    t_in, t_out = column(frame, "tokens_in"), column(frame, "tokens_out")
    if t_in is None and t_out is None:
        return pd.DataFrame(columns=cols)
    t_in = t_in.fillna(0.0) if t_in is not None else pd.Series(0.0, index=frame.index)
    t_out = t_out.fillna(0.0) if t_out is not None else pd.Series(0.0, index=frame.index)
    keep = ((t_in + t_out) > 0).to_numpy() & frame["provider"].notna().to_numpy()
    data = pd.DataFrame(
        {
            "provider": frame["provider"][keep].astype(str),
            "item_id": frame["item_id"][keep] if "item_id" in frame.columns else pd.NA,
            "tokens_in": t_in[keep],
            "tokens_out": t_out[keep],
        }
    )
    if data.empty:
        return pd.DataFrame(columns=cols)
    g = data.groupby("provider", sort=True)
    out = g.agg(
        tokens_in=("tokens_in", "sum"), tokens_out=("tokens_out", "sum"), posts=("item_id", "nunique")
    )
    out["posts"] = out["posts"].where(out["posts"] > 0, g.size())
    out["tokens_per_post"] = (out["tokens_in"] + out["tokens_out"]) / out["posts"]
    price = {k: (float(v[0]), float(v[1])) for k, v in prices.items()}
    out["cost"] = [
        (r.tokens_in * price.get(p, (0.0, 0.0))[0] + r.tokens_out * price.get(p, (0.0, 0.0))[1]) / 1000
        for p, r in out.iterrows()
    ]
    return out.reset_index()[cols]


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def items_behind(
    frame: pd.DataFrame,
    *,
    kind: str | None = None,
    equals: Mapping[str, Any] | None = None,
    bucket: Any = None,
    order_by: str | None = None,
    ascending: bool = True,
    limit: int = 50,
) -> list[int]:
    """Item ids of the events behind one point of a chart (newest first unless `order_by` is given)."""
    sub = steps_frame(frame, kind) if kind else frame
    for name, value in (equals or {}).items():
        col = column(sub, name)
        if col is None:
            return []
        if pd.api.types.is_numeric_dtype(col) and _is_number(value):
            sub = sub[pd.to_numeric(col, errors="coerce").round(6) == round(float(value), 6)]
        else:
            sub = sub[equals_mask(col, value)]
    if bucket is not None and "bucket" in sub.columns:
        sub = sub[sub["bucket"] == pd.Timestamp(bucket)]
    if "item_id" not in sub.columns:
        return []
    sub = sub[sub["item_id"].notna()]
    if order_by is not None and (values := column(sub, order_by)) is not None:
        sub = sub.assign(_order=values).sort_values("_order", ascending=ascending, kind="stable")
    else:
        sub = sub.iloc[::-1]
    ids = pd.unique(sub["item_id"].astype("int64"))
    return [int(i) for i in ids[:limit]]


def summarise(frame: pd.DataFrame, parts: Mapping[str, pd.DataFrame] | None = None) -> dict[str, Any]:
    """The headline numbers: events, posts, fallback rate, errors, guard, moderation and rating rates.

    `parts` (from `split_steps`) saves filtering a big frame again.
    """
    parts = parts if parts is not None else split_steps(frame)
    out: dict[str, Any] = {"events": len(frame)}
    gen = parts["generate"]
    out["posts"] = len(gen)
    fb = column(gen, "fallback")
    out["fallback_rate"] = (
        float(np.nanmean(fb.to_numpy(dtype=float))) if fb is not None and fb.notna().any() else None
    )
    out["errors"] = int((frame["outcome"] == "error").sum()) if "outcome" in frame.columns else 0
    out["error_rate"] = out["errors"] / len(frame) if len(frame) else None
    guard = parts["guard"]
    conf, share = column(guard, "confidence"), column(guard, "unsupported_share")
    out["guard_checks"] = len(guard)
    out["guard_confidence"] = float(conf.mean()) if conf is not None and conf.notna().any() else None
    out["unsupported_share"] = float(share.mean()) if share is not None and share.notna().any() else None
    mod = parts["moderation"]
    level = column(mod, "level")
    out["moderation_levels"] = (
        {str(k): round(float(v), 4) for k, v in value_counts(level, normalize=True).items()}
        if level is not None
        else {}
    )
    rating = parts["rating"]
    stars = column(rating, "stars")
    out["ratings"] = int(stars.notna().sum()) if stars is not None else 0
    out["mean_stars"] = float(stars.mean()) if stars is not None and stars.notna().any() else None
    reward = column(parts["reward"], "reward")
    out["mean_reward"] = float(reward.mean()) if reward is not None and reward.notna().any() else None
    return out
