"""The Dashboard's data: every aggregate, the drift tests and alerts, for one period, source and provider.

`build_dashboard(services, query)` reads the event log (cached), filters it,
computes the aggregates of `utils.aggregates`, the review backlog from the
store, the agent's off-policy estimates when the agent exists, and the drift
report (recording breaches in `logs/alerts.jsonl`). `drill_down` turns one
clicked point of a chart into the items behind it. The CLI's `metrics`
command prints the same `Dashboard` as JSON or text. No plotting here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from core.errors import InvalidInputError
from core.services import Services
from utils import aggregates as agg
from utils.drift import DriftReport, detect_drift, read_alerts, record_alerts
from utils.metrics import LoadReport, load_events

__all__ = [
    "DashboardQuery",
    "Dashboard",
    "ReviewStats",
    "ItemRef",
    "build_dashboard",
    "drill_down",
    "filter_options",
    "item_refs",
    "review_stats",
    "CHARTS",
]

LOG = logging.getLogger(__name__)
REVIEW_STATUSES = ("needs_review", "flagged", "review_required")
DECISION_STATUSES = ("approved", "rejected", "sent_back", "ready")
# chart -> (step kind, fields the clicked point's customdata names, value to order items by, ascending)
CHARTS: dict[str, tuple[str | None, tuple[str, ...], str | None, bool]] = {
    "latency_step": (None, ("bucket", "step"), "latency_ms", False),
    "latency_provider": (None, ("bucket", "provider"), "latency_ms", False),
    "providers": ("generate", ("provider",), None, True),
    "guard": ("guard", ("bucket",), "confidence", True),
    "moderation": ("moderation", ("bucket", "level"), None, True),
    "ratings_dist": ("rating", ("stars",), None, True),
    "ratings_trend": ("rating", ("bucket",), "stars", True),
    "reward": ("reward", ("bucket",), "reward", True),
    "renders": ("render", ("bucket",), None, True),
    "cost": ("generate", ("provider",), None, True),
}


@dataclass(frozen=True)
class DashboardQuery:
    """The filters: a period (UTC), a source id and a provider; None means all."""

    since: datetime | None = None
    until: datetime | None = None
    source_id: int | None = None
    provider: str | None = None


@dataclass(frozen=True)
class ReviewStats:
    """The review queue: backlog now, decisions and how long they took."""

    backlog: int
    decided: int
    median_hours: float | None
    p90_hours: float | None
    backlog_over_time: pd.DataFrame  # day, entered, decided, backlog
    waiting: tuple[int, ...]  # item ids in the queue now


@dataclass(frozen=True)
class ItemRef:
    """An item a chart point stands for, with what a link needs."""

    item_id: int
    title: str
    status: str
    kind: str
    exists: bool


@dataclass(frozen=True)
class Dashboard:
    """Everything the Dashboard page draws."""

    query: DashboardQuery
    report: LoadReport
    empty: bool
    freq: str
    start: datetime | None
    end: datetime | None
    summary: dict[str, Any]
    latency_by_step: pd.DataFrame
    latency_by_provider: pd.DataFrame
    latency_table: pd.DataFrame
    providers: pd.DataFrame
    guard: pd.DataFrame
    moderation: pd.DataFrame
    ratings_dist: pd.DataFrame
    ratings_trend: pd.DataFrame
    reward: pd.DataFrame
    ope: dict[str, Any] | None
    renders: pd.DataFrame
    cost: pd.DataFrame
    review: ReviewStats
    drift: DriftReport
    alerts: tuple[dict[str, Any], ...]
    sources: tuple[tuple[int, str], ...]
    provider_names: tuple[str, ...]
    events: pd.DataFrame = field(repr=False)


def _utc(value: datetime | None) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def build_dashboard(
    services: Services, query: DashboardQuery = DashboardQuery(), *, record: bool = True
) -> Dashboard:
    """Load, filter and aggregate the logs for `query`; record drift breaches when `record`."""
    settings = services.settings
    since, until = _utc(query.since), _utc(query.until)
    if since is not None and until is not None and since > until:
        raise InvalidInputError("The period starts after it ends: swap --since and --until")
    loaded = load_events(
        settings.log_dir,
        cache_dir=settings.data_dir / "cache" / "metrics",
        max_bytes=settings.metrics_max_bytes,
    )
    frame = loaded.frame
    provider_names = writing_providers(frame)
    sources = _sources(services)
    unfiltered_by_period = frame  # drift needs the reference window before the period, too
    if since is not None:
        frame = frame[frame["ts"] >= since]
    if until is not None:
        frame = frame[frame["ts"] <= until]
    if query.source_id is not None:
        frame = _only_source(services, frame, query.source_id)
    if query.provider:
        frame = _only_provider(frame, query.provider)
    start = since if since is not None else (frame["ts"].min() if len(frame) else None)
    end = until if until is not None else (frame["ts"].max() if len(frame) else None)
    freq = agg.choose_freq(start, end)
    events = agg.with_bucket(frame, freq)
    parts = agg.split_steps(events)
    drift_frame = unfiltered_by_period
    if query.source_id is not None:
        drift_frame = _only_source(services, drift_frame, query.source_id)
    if query.provider:
        drift_frame = _only_provider(drift_frame, query.provider)
    drift = detect_drift(
        drift_frame,
        recent_h=settings.drift_recent_h,
        reference_h=settings.drift_reference_h,
        alpha=settings.drift_alpha,
        min_events=settings.drift_min_events,
        floors=dict(settings.drift_floors),
        end=until.to_pydatetime() if until is not None else None,
    )
    if record and not query.source_id and not query.provider:
        record_alerts(drift, settings.log_dir)
    alerts = read_alerts(settings.log_dir, since=since, until=until)
    return Dashboard(
        query=query,
        report=loaded.report,
        empty=len(frame) == 0,
        freq=freq,
        start=None if start is None or pd.isna(start) else start.to_pydatetime(),
        end=None if end is None or pd.isna(end) else end.to_pydatetime(),
        summary=agg.summarise(frame, parts),
        latency_by_step=agg.latency_percentiles(events, "step"),
        latency_by_provider=agg.latency_percentiles(events, "provider"),
        latency_table=agg.latency_table(frame, "provider"),
        providers=agg.provider_reliability(pd.concat([parts["attempt"], parts["generate"]])),
        guard=agg.guard_over_time(parts["guard"]),
        moderation=agg.moderation_over_time(parts["moderation"]),
        ratings_dist=agg.ratings_distribution(parts["rating"]),
        ratings_trend=agg.ratings_trend(parts["rating"]),
        reward=agg.reward_over_time(parts["reward"]),
        ope=_ope(services),
        renders=agg.renders_over_time(parts["render"]),
        cost=agg.cost_by_provider(parts["generate"], settings.token_prices),
        review=review_stats(services, since, until),
        drift=drift,
        alerts=tuple(alerts[-50:]),
        sources=sources,
        provider_names=provider_names,
        events=events,
    )


def writing_providers(frame: pd.DataFrame) -> tuple[str, ...]:
    """Names of the writing providers seen in generate and provider-attempt events."""
    if frame.empty:
        return ()
    rows = pd.concat([agg.steps_frame(frame, "generate"), agg.steps_frame(frame, "attempt")])
    return tuple(sorted(agg.value_counts(rows["provider"]).index))


def filter_options(services: Services) -> tuple[tuple[tuple[int, str], ...], tuple[str, ...]]:
    """The sources (id, label) and provider names the filters offer."""
    settings = services.settings
    frame = load_events(
        settings.log_dir,
        cache_dir=settings.data_dir / "cache" / "metrics",
        max_bytes=settings.metrics_max_bytes,
    ).frame
    return _sources(services), writing_providers(frame)


def drill_down(
    services: Services, dashboard: Dashboard, chart: str, point: dict[str, Any], limit: int = 50
) -> list[ItemRef]:
    """Items behind one clicked point: `point` maps the chart's key fields (see CHARTS) to values."""
    if chart not in CHARTS:
        raise InvalidInputError(f"Unknown chart {chart!r}; use one of {', '.join(CHARTS)}")
    kind, keys, order_by, ascending = CHARTS[chart]
    equals = {k: point[k] for k in keys if k != "bucket" and point.get(k) not in (None, "")}
    bucket = point.get("bucket") if "bucket" in keys else None
    if bucket is not None:
        bucket = _utc(pd.Timestamp(bucket))
    ids = agg.items_behind(
        dashboard.events,
        kind=kind,
        equals=equals,
        bucket=bucket,
        order_by=order_by,
        ascending=ascending,
        limit=limit,
    )
    return item_refs(services, ids)


def item_refs(services: Services, ids: list[int] | tuple[int, ...]) -> list[ItemRef]:
    """Title, status and kind of each item id, in the given order (missing items marked)."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = services.store.query(
        f"SELECT id, title, status, kind FROM items WHERE id IN ({marks})", tuple(ids)
    )
    by_id = {r["id"]: r for r in rows}
    out = []
    for i in ids:
        r = by_id.get(i)
        if r is None:
            out.append(ItemRef(i, f"item {i} (not in this database)", "", "", False))
        else:
            out.append(ItemRef(i, r["title"] or f"item {i}", r["status"], r["kind"], True))
    return out


def _sources(services: Services) -> tuple[tuple[int, str], ...]:
    rows = services.store.query("SELECT id, kind, location FROM sources ORDER BY id DESC LIMIT 200")
    return tuple((int(r["id"]), f"#{r['id']} {r['location']}") for r in rows)


def _only_source(services: Services, frame: pd.DataFrame, source_id: int) -> pd.DataFrame:
    items = {r["id"] for r in services.store.query("SELECT id FROM items WHERE source_id = ?", (source_id,))}
    mask = (
        frame["item_id"].isin(items).fillna(False).to_numpy(dtype=bool)
        if "item_id" in frame.columns
        else None
    )
    if "source_id" in frame.columns:
        by_col = (pd.to_numeric(frame["source_id"], errors="coerce") == source_id).to_numpy()
        mask = by_col if mask is None else mask | by_col
        if "run_id" in frame.columns:
            runs = set(frame.loc[by_col, "run_id"].dropna())
            mask = mask | frame["run_id"].isin(runs).to_numpy()
    return frame[mask] if mask is not None else frame.iloc[:0]


def _only_provider(frame: pd.DataFrame, provider: str) -> pd.DataFrame:
    """Events of that provider, plus the other steps of the posts it wrote (guard, moderation, ratings)."""
    own = agg.equals_mask(frame["provider"], provider)
    gen = agg.steps_frame(frame, "generate")
    items = set(gen.loc[agg.equals_mask(gen["provider"], provider), "item_id"].dropna().astype(int))
    linked = frame["item_id"].isin(items).fillna(False).to_numpy(dtype=bool)
    others = frame["provider"].isna().to_numpy()
    return frame[own | (linked & others)]


def review_stats(
    services: Services, since: pd.Timestamp | None = None, until: pd.Timestamp | None = None
) -> ReviewStats:
    """Backlog now, time from entering review to a decision, and the backlog per day."""
    rows = services.store.query("SELECT item_id, status, created_at FROM status_changes ORDER BY id")
    empty = pd.DataFrame(columns=["day", "entered", "decided", "backlog"])
    if not rows:
        return ReviewStats(0, 0, None, None, empty, ())
    changes = pd.DataFrame(rows)
    changes["ts"] = pd.to_datetime(changes["created_at"], utc=True, errors="coerce", format="ISO8601")
    entered: dict[int, pd.Timestamp] = {}
    spans, enter_ts, decide_ts = [], [], []
    for item_id, status, ts in changes[["item_id", "status", "ts"]].itertuples(index=False):
        if status in REVIEW_STATUSES and item_id not in entered:
            entered[item_id] = ts
            enter_ts.append(ts)
        elif status in DECISION_STATUSES and item_id in entered:
            start = entered.pop(item_id)
            spans.append((ts - start).total_seconds() / 3600)
            decide_ts.append(ts)
    current = services.store.query(
        f"SELECT id FROM items WHERE status IN ({','.join('?' * len(REVIEW_STATUSES))}) ORDER BY id",
        REVIEW_STATUSES,
    )
    days = pd.DataFrame(
        {
            "day": pd.Series(enter_ts + decide_ts, dtype="datetime64[us, UTC]").dt.floor("D"),
            "delta": [1] * len(enter_ts) + [-1] * len(decide_ts),
        }  # fmt: skip
    )
    if len(days):
        per_day = days.groupby("day").agg(
            entered=("delta", lambda d: int((d > 0).sum())), decided=("delta", lambda d: int((d < 0).sum()))
        )
        per_day["backlog"] = (per_day["entered"] - per_day["decided"]).cumsum()
        per_day = per_day.reset_index()
        if since is not None:
            per_day = per_day[per_day["day"] >= since.floor("D")]
        if until is not None:
            per_day = per_day[per_day["day"] <= until]
    else:
        per_day = empty
    s = pd.Series(spans, dtype=float)
    return ReviewStats(
        backlog=len(current),
        decided=len(spans),
        median_hours=float(s.median()) if len(s) else None,
        p90_hours=float(s.quantile(0.9)) if len(s) else None,
        backlog_over_time=per_day,
        waiting=tuple(int(r["id"]) for r in current[:200]),
    )


def _ope(services: Services) -> dict[str, Any] | None:
    """The agent's off-policy estimates of its greedy policy, when the agent has logged choices."""
    try:
        from core.agent import Agent

        estimate = Agent.from_store(services.store, services.settings).evaluate()
    except Exception as exc:  # no agent yet, or no logged choices: the page shows an empty state
        LOG.debug("no OPE estimates: %s", exc)
        return None
    data = {
        k: getattr(estimate, k)
        for k in ("n", "logged_value", "ips", "snips", "dr", "match_rate", "effective_sample_size")
    }
    return data if data.get("n") else None


def now_utc() -> datetime:
    """The current time in UTC (for the page's default period)."""
    return datetime.now(UTC)
