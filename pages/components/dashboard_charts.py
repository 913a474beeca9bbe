"""Plotly figures for the Dashboard page, one function per chart, from `core.dashboard.Dashboard` frames.

Each figure carries, as `customdata`, the keys `core.dashboard.drill_down`
needs to list the items behind a clicked point (see `CHARTS` there). UI-side
only: no data access, no Streamlit calls.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

__all__ = ["FIGURES", "point_options", "LEVEL_COLOURS"]

LEVEL_COLOURS = {
    "approved": "#2e7d32",
    "flagged": "#f9a825",
    "review_required": "#ef6c00",
    "rejected": "#c62828",
}
HEIGHT = 330


def _iso(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "bucket" in out.columns:
        out["bucket_iso"] = pd.to_datetime(out["bucket"], utc=True).map(lambda t: t.isoformat())
    return out


def _layout(fig: go.Figure, title: str, y: str = "") -> go.Figure:
    fig.update_layout(
        title=title, height=HEIGHT, margin=dict(l=10, r=10, t=40, b=10), legend_title_text="", yaxis_title=y
    )
    return fig


def latency(frame: pd.DataFrame, by: str) -> go.Figure:
    """p50/p95/p99 lines over time, one colour per step or provider, dashes per percentile."""
    data = _iso(frame).melt(
        id_vars=["bucket", "bucket_iso", by, "n"],
        value_vars=["p50", "p95", "p99"],
        var_name="pct",
        value_name="ms",
    )
    fig = px.line(
        data,
        x="bucket",
        y="ms",
        color=by,
        line_dash="pct",
        markers=True,
        custom_data=["bucket_iso", by],
        log_y=True,
    )
    return _layout(fig, f"Latency per {by} (p50, p95, p99)", "ms (log)")


def providers(frame: pd.DataFrame) -> go.Figure:
    """Bars: fallback rate and error rate per provider."""
    data = frame.melt(
        id_vars=["provider"], value_vars=["fallback_rate", "error_rate"], var_name="rate", value_name="share"
    )
    fig = px.bar(data, x="provider", y="share", color="rate", barmode="group", custom_data=["provider"])
    fig.update_yaxes(tickformat=".0%")
    return _layout(fig, "Fallback and error rate per provider")


def guard(frame: pd.DataFrame) -> go.Figure:
    """Mean guard confidence and unsupported-claim share over time."""
    data = _iso(frame).melt(
        id_vars=["bucket", "bucket_iso"], value_vars=["confidence", "unsupported_share"], var_name="series"
    )
    fig = px.line(data, x="bucket", y="value", color="series", markers=True, custom_data=["bucket_iso"])
    fig.update_yaxes(range=[0, 1])
    return _layout(fig, "Guard confidence and unsupported claims")


def moderation(frame: pd.DataFrame) -> go.Figure:
    """Stacked bars: moderation levels per bucket."""
    data = _iso(frame)
    fig = px.bar(
        data,
        x="bucket",
        y="n",
        color="level",
        color_discrete_map=LEVEL_COLOURS,
        custom_data=["bucket_iso", "level"],
    )
    return _layout(fig, "Moderation levels", "posts")


def ratings_dist(frame: pd.DataFrame) -> go.Figure:
    """Bars: ratings per star value."""
    # customdata as text: plotly sends numeric arrays in binary form, which selection events lose
    fig = px.bar(frame.assign(key=frame["stars"].astype(str)), x="stars", y="n", custom_data=["key"])
    fig.update_xaxes(dtick=1)
    return _layout(fig, "Ratings", "ratings")


def ratings_trend(frame: pd.DataFrame) -> go.Figure:
    """Mean stars over time."""
    fig = px.line(_iso(frame), x="bucket", y="mean_stars", markers=True, custom_data=["bucket_iso"])
    fig.update_yaxes(range=[1, 5])
    return _layout(fig, "Mean rating over time", "stars")


def reward(frame: pd.DataFrame) -> go.Figure:
    """Mean agent reward per bucket and its running mean."""
    data = _iso(frame).melt(
        id_vars=["bucket", "bucket_iso"], value_vars=["mean_reward", "running_mean"], var_name="series"
    )
    fig = px.line(data, x="bucket", y="value", color="series", markers=True, custom_data=["bucket_iso"])
    return _layout(fig, "Agent reward", "reward")


def renders(frame: pd.DataFrame) -> go.Figure:
    """Bars: renders per bucket, coloured by speed (x real time)."""
    fig = px.bar(_iso(frame), x="bucket", y="renders", color="speed_x", custom_data=["bucket_iso"])
    return _layout(fig, "Video renders (colour: speed, x real time)", "renders")


def cost(frame: pd.DataFrame) -> go.Figure:
    """Bars: estimated cost per provider."""
    fig = px.bar(
        frame, x="provider", y="cost", hover_data=["tokens_per_post", "posts"], custom_data=["provider"]
    )
    return _layout(fig, "Estimated cost per provider", "cost")


FIGURES = {
    "latency_step": lambda d: latency(d.latency_by_step, "step"),
    "latency_provider": lambda d: latency(d.latency_by_provider, "provider"),
    "providers": lambda d: providers(d.providers),
    "guard": lambda d: guard(d.guard),
    "moderation": lambda d: moderation(d.moderation),
    "ratings_dist": lambda d: ratings_dist(d.ratings_dist),
    "ratings_trend": lambda d: ratings_trend(d.ratings_trend),
    "reward": lambda d: reward(d.reward),
    "renders": lambda d: renders(d.renders),
    "cost": lambda d: cost(d.cost),
}
SOURCES = {
    "latency_step": ("latency_by_step", ("bucket", "step")),
    "latency_provider": ("latency_by_provider", ("bucket", "provider")),
    "providers": ("providers", ("provider",)),
    "guard": ("guard", ("bucket",)),
    "moderation": ("moderation", ("bucket", "level")),
    "ratings_dist": ("ratings_dist", ("stars",)),
    "ratings_trend": ("ratings_trend", ("bucket",)),
    "reward": ("reward", ("bucket",)),
    "renders": ("renders", ("bucket",)),
    "cost": ("cost", ("provider",)),
}


def point_options(dashboard, chart: str) -> dict[str, dict]:
    """Label -> point (key fields) for every point of a chart, for the drill-down select box."""
    attr, keys = SOURCES[chart]
    frame = getattr(dashboard, attr)
    if frame is not None and "n" in frame.columns:
        frame = frame[frame["n"] > 0]  # an empty bar has nothing behind it
    if frame is None or frame.empty:
        return {}
    out: dict[str, dict] = {}
    for row in frame[list(keys)].drop_duplicates().itertuples(index=False):
        point = dict(zip(keys, row, strict=True))
        if "bucket" in point:
            point["bucket"] = pd.Timestamp(point["bucket"]).isoformat()
        label = " · ".join(f"{k} {v}" for k, v in point.items())
        out[label] = point
    return out
