"""Drift: is the recent window of events different from the reference window before it?

Numeric series (generation latency, guard confidence, post quality, rating) get
a two-sample Kolmogorov-Smirnov test; categorical ones (moderation level,
provider used) a chi-square test of homogeneity. Both also get a population
stability index (PSI), reported as the size of the shift, not as a gate. A
breach is a p-value under `drift_alpha` or a recent mean under its quality
floor (for latency: a recent p95 above its ceiling). Windows with fewer than
`drift_min_events` events say so instead of testing. Breaches can be appended
to `logs/alerts.jsonl` once per breach episode (a metric and test that got worse, until it
recovers); an improvement is reported as a note, never an alert. No plotting.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from utils.aggregates import column, items_behind, steps_frame, value_counts

__all__ = [
    "MetricSpec",
    "DriftResult",
    "DriftReport",
    "METRICS",
    "ks_test",
    "chi2_test",
    "psi_numeric",
    "psi_categorical",
    "detect_drift",
    "record_alerts",
    "read_alerts",
    "ALERTS_FILE",
]

LOG = logging.getLogger(__name__)
ALERTS_FILE = "alerts.jsonl"
_EPS = 1e-4


@dataclass(frozen=True)
class MetricSpec:
    """One monitored series: which step's events, which field, and which direction is worse."""

    name: str
    kind: str  # "numeric" | "categorical"
    step: str  # a key of utils.aggregates.STEP_ALIASES
    field: str  # a key of utils.aggregates.FIELD_ALIASES, or a column
    higher_is_better: bool = True
    label: str = ""
    good_values: tuple[str, ...] = ()  # categorical: a category whose growth is an improvement


METRICS = (
    MetricSpec("latency", "numeric", "generate", "latency_ms", False, "generation latency (ms)"),
    MetricSpec("guard_confidence", "numeric", "guard", "confidence", True, "guard confidence"),
    MetricSpec("quality", "numeric", "generate", "quality", True, "post quality (0-100)"),
    MetricSpec("rating", "numeric", "rating", "stars", True, "rating (stars)"),
    MetricSpec("moderation_level", "categorical", "moderation", "level", True, "moderation level", ("approved",)),
    MetricSpec("provider", "categorical", "generate", "provider", True, "provider used", ("groq", "openai_compat")),
)


@dataclass(frozen=True)
class DriftResult:
    """The outcome of one test on one metric."""

    metric: str
    label: str
    test: str  # "ks" | "chi2" | "floor"
    status: str  # "ok" | "drift" (worse) | "improved" | "below_floor" | "too_small" | "no_data"
    statistic: float | None
    p_value: float | None
    psi: float | None
    threshold: float | None  # alpha for tests, the floor (or ceiling) for floors
    n_recent: int
    n_reference: int
    recent_value: float | None  # mean (numeric) or share of the most grown category
    reference_value: float | None
    detail: str
    message: str
    items: tuple[int, ...] = ()

    @property
    def breached(self) -> bool:
        """True for drift for the worse or a floor breach (an improvement is a note, never an alert)."""
        return self.status in ("drift", "below_floor")

    @property
    def key(self) -> str:
        """Which series and test this is; one breach episode per key."""
        return f"{self.metric}:{self.test}"


@dataclass(frozen=True)
class DriftReport:
    """Every test for one pair of windows."""

    reference_start: datetime | None
    reference_end: datetime | None
    recent_start: datetime | None
    recent_end: datetime | None
    alpha: float
    min_events: int
    results: tuple[DriftResult, ...]

    @property
    def breaches(self) -> tuple[DriftResult, ...]:
        """The results that breached."""
        return tuple(r for r in self.results if r.breached)


def ks_test(recent: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic and p-value."""
    from scipy import stats

    res = stats.ks_2samp(np.asarray(recent, float), np.asarray(reference, float))
    return float(res.statistic), float(res.pvalue)


def chi2_test(recent: pd.Series, reference: pd.Series) -> tuple[float, float]:
    """Chi-square test that two categorical samples share one distribution; (statistic, p-value)."""
    from scipy import stats

    rec = value_counts(recent)
    ref = value_counts(reference)
    cats = sorted(set(rec.index) | set(ref.index))
    if len(cats) < 2:
        return 0.0, 1.0
    table = np.array([rec.reindex(cats, fill_value=0).to_numpy(), ref.reindex(cats, fill_value=0).to_numpy()])
    table = table[:, table.sum(axis=0) > 0]
    res = stats.chi2_contingency(table, correction=False)
    return float(res.statistic), float(res.pvalue)


def psi_numeric(recent: np.ndarray, reference: np.ndarray, bins: int = 10) -> float:
    """Population stability index over the reference's quantile bins."""
    reference = np.asarray(reference, float)
    recent = np.asarray(recent, float)
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        edges = np.array([reference.min() - 0.5, reference.max() + 0.5])
    edges[0], edges[-1] = -np.inf, np.inf
    ref = np.histogram(reference, edges)[0] / max(1, len(reference))
    rec = np.histogram(recent, edges)[0] / max(1, len(recent))
    return _psi(rec, ref)


def psi_categorical(recent: pd.Series, reference: pd.Series) -> float:
    """Population stability index over the categories of both samples."""
    rec_s, ref_s = value_counts(recent, normalize=True), value_counts(reference, normalize=True)
    cats = sorted(set(rec_s.index) | set(ref_s.index))
    rec = rec_s.reindex(cats, fill_value=0).to_numpy()
    ref = ref_s.reindex(cats, fill_value=0).to_numpy()
    return _psi(rec, ref)


def _psi(rec: np.ndarray, ref: np.ndarray) -> float:
    rec = np.clip(rec, _EPS, None)
    ref = np.clip(ref, _EPS, None)
    return float(np.sum((rec - ref) * np.log(rec / ref)))


def detect_drift(
    frame: pd.DataFrame,
    *,
    recent_h: float,
    reference_h: float,
    alpha: float,
    min_events: int,
    floors: dict[str, float] | None = None,
    end: datetime | None = None,
) -> DriftReport:
    """Test every metric in `METRICS`; the recent window ends at `end` (default: the newest event)."""
    floors = dict(floors or {})
    if frame.empty or "ts" not in frame.columns:
        results = tuple(_no_data(spec, min_events) for spec in METRICS)
        return DriftReport(None, None, None, None, alpha, min_events, results)
    end_ts = pd.Timestamp(end) if end is not None else frame["ts"].max()
    if end_ts.tzinfo is None:
        end_ts = end_ts.tz_localize("UTC")
    recent_start = end_ts - timedelta(hours=recent_h)
    ref_start = recent_start - timedelta(hours=reference_h)
    ts = frame["ts"]
    recent = frame[(ts > recent_start) & (ts <= end_ts)]
    reference = frame[(ts > ref_start) & (ts <= recent_start)]
    results: list[DriftResult] = []
    for spec in METRICS:
        results.extend(_test_metric(spec, recent, reference, alpha, min_events, floors.get(spec.name)))
    return DriftReport(
        ref_start.to_pydatetime(),
        recent_start.to_pydatetime(),
        recent_start.to_pydatetime(),
        end_ts.to_pydatetime(),
        alpha,
        min_events,
        tuple(results),
    )


def _values(frame: pd.DataFrame, spec: MetricSpec) -> tuple[pd.DataFrame, pd.Series | None]:
    sub = steps_frame(frame, spec.step)
    col = column(sub, spec.field)
    if col is None:
        return sub, None
    keep = col.notna().to_numpy()
    return sub[keep], col[keep]


def _no_data(spec: MetricSpec, min_events: int) -> DriftResult:
    test = "ks" if spec.kind == "numeric" else "chi2"
    return DriftResult(
        spec.name, spec.label, test, "no_data", None, None, None, None, 0, 0, None, None, "",
        f"No {spec.label} logged yet: it appears once the {spec.step} step has run.",
    )  # fmt: skip


def _test_metric(spec, recent, reference, alpha, min_events, floor) -> list[DriftResult]:
    rec_rows, rec = _values(recent, spec)
    ref_rows, ref = _values(reference, spec)
    test = "ks" if spec.kind == "numeric" else "chi2"
    if rec is None and ref is None:
        return [_no_data(spec, min_events)]
    n_rec = 0 if rec is None else len(rec)
    n_ref = 0 if ref is None else len(ref)
    out: list[DriftResult] = []
    if n_rec < min_events or n_ref < min_events:
        msg = (
            f"Too few events to test {spec.label}: {n_rec} recent and {n_ref} reference, "
            f"{min_events} needed in each (HERALD_DRIFT_MIN_EVENTS); widen the windows or wait."
        )
        out.append(DriftResult(spec.name, spec.label, test, "too_small", None, None, None, alpha,
                               n_rec, n_ref, None, None, "", msg))  # fmt: skip
    elif spec.kind == "numeric":
        out.append(_numeric(spec, rec_rows, rec, ref, alpha))
    else:
        out.append(_categorical(spec, rec_rows, rec, ref, alpha))
    if floor is not None and spec.kind == "numeric" and n_rec >= min_events:
        out.append(_floor(spec, rec_rows, rec, floor, n_ref))
    return out


def _numeric(spec, rec_rows, rec, ref, alpha) -> DriftResult:
    r, f = rec.to_numpy(float), ref.to_numpy(float)
    stat, p = ks_test(r, f)
    psi = psi_numeric(r, f)
    changed = p < alpha
    worse = (r.mean() < f.mean()) == spec.higher_is_better
    direction = "worse" if worse else "better"
    drift = changed and worse
    items = ()
    if drift:
        items = tuple(items_behind(rec_rows, order_by=spec.field, ascending=spec.higher_is_better, limit=20))
    msg = (
        f"{spec.label}: recent mean {r.mean():.3g} vs reference {f.mean():.3g} ({direction}); "
        f"KS D={stat:.3f}, p={p:.2g} {'<' if drift else '>='} alpha {alpha:g}; PSI {psi:.3f}"
    )
    status = "drift" if drift else ("improved" if changed else "ok")
    return DriftResult(spec.name, spec.label, "ks", status, stat, p, psi, alpha,
                       len(r), len(f), float(r.mean()), float(f.mean()), direction, msg, items)  # fmt: skip


def _categorical(spec, rec_rows, rec, ref, alpha) -> DriftResult:
    stat, p = chi2_test(rec, ref)
    psi = psi_categorical(rec, ref)
    changed = p < alpha
    rec_share = value_counts(rec, normalize=True)
    ref_share = value_counts(ref, normalize=True)
    growth = rec_share.sub(ref_share, fill_value=0).sort_values(ascending=False)
    grown = str(growth.index[0]) if len(growth) else ""
    drift = changed and grown not in spec.good_values
    items: tuple[int, ...] = ()
    if drift and grown:
        items = tuple(items_behind(rec_rows, equals={spec.field: grown}, limit=20))
    msg = (
        f"{spec.label}: '{grown}' is {rec_share.get(grown, 0):.0%} of recent events vs "
        f"{ref_share.get(grown, 0):.0%} before; chi-square {stat:.2f}, p={p:.2g} "
        f"{'<' if drift else '>='} alpha {alpha:g}; PSI {psi:.3f}"
    )
    status = "drift" if drift else ("improved" if changed else "ok")
    return DriftResult(spec.name, spec.label, "chi2", status, stat, p, psi, alpha,
                       len(rec), len(ref), float(rec_share.get(grown, 0)), float(ref_share.get(grown, 0)),
                       grown, msg, items)  # fmt: skip


def _floor(spec, rec_rows, rec, floor, n_ref) -> DriftResult:
    r = rec.to_numpy(float)
    if spec.higher_is_better:
        value, bad, what = float(r.mean()), float(r.mean()) < floor, "mean"
    else:
        value, what = float(np.percentile(r, 95)), "p95"
        bad = value > floor
    items = (
        tuple(items_behind(rec_rows, order_by=spec.field, ascending=spec.higher_is_better, limit=20))
        if bad
        else ()
    )
    word = "floor" if spec.higher_is_better else "ceiling"
    msg = f"{spec.label}: recent {what} {value:.3g} {'breaks' if bad else 'keeps'} the {word} {floor:g}"
    return DriftResult(spec.name, spec.label, "floor", "below_floor" if bad else "ok", value, None, None, floor,
                       len(r), n_ref, value, None, what, msg, items)  # fmt: skip


def _open_episodes(log_dir: Path) -> dict[str, bool]:
    """Which metric:test keys are in a breach episode now (from the episode marks in alerts.jsonl)."""
    state: dict[str, bool] = {}
    for a in read_alerts(log_dir, include_marks=True):
        key = str(a.get("episode") or "")
        if key:
            state[key] = a.get("kind") != "recovered"
    return state


def record_alerts(report: DriftReport, log_dir: Path) -> int:
    """Append one alert per breach EPISODE of a metric and test; return how many were new.

    A breach that was already alerted stays one alert until a later report finds that metric and
    test back to normal (a "recovered" mark is written); only then can a new alert fire.
    """
    open_now = _open_episodes(log_dir)
    path = Path(log_dir) / ALERTS_FILE
    now = datetime.now(tz=report.recent_end.tzinfo if report.recent_end else None).isoformat()
    lines, new = [], 0
    for r in report.results:
        if r.breached and not open_now.get(r.key):
            record = {
                "ts": now,
                "key": f"{r.key}:{report.recent_end.isoformat() if report.recent_end else ''}",
                "episode": r.key,
                "kind": "alert",
                "recent_start": report.recent_start.isoformat() if report.recent_start else None,
                "recent_end": report.recent_end.isoformat() if report.recent_end else None,
                **{k: v for k, v in asdict(r).items() if k != "items"},
                "items": list(r.items),
            }
            lines.append(json.dumps(record, default=str))
            new += 1
        elif open_now.get(r.key) and r.status in ("ok", "improved"):
            mark = {"ts": now, "episode": r.key, "kind": "recovered", "metric": r.metric, "test": r.test,
                    "recent_end": report.recent_end.isoformat() if report.recent_end else None}  # fmt: skip
            lines.append(json.dumps(mark, default=str))
    if lines:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")
        except OSError as exc:
            LOG.warning("could not write %s: %s", path, exc)
            return 0
    return new


def read_alerts(log_dir: Path, *, since: datetime | None = None, until: datetime | None = None,
                max_bytes: int = 2_000_000, include_marks: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """Alerts from `alerts.jsonl` (the newest `max_bytes`), oldest first; bad lines are skipped.

    "Recovered" marks (an episode's end) are left out unless `include_marks`.
    """
    path = Path(log_dir) / ALERTS_FILE
    if not path.exists():
        return []
    with open(path, "rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(max(0, size - max_bytes))
        if size > max_bytes:
            fh.readline()
        raw = fh.read()
    out = []
    for line in raw.splitlines():
        try:
            alert = json.loads(line)
        except ValueError:
            continue
        if not isinstance(alert, dict) or (alert.get("kind") == "recovered" and not include_marks):
            continue
        ts = pd.to_datetime(alert.get("recent_end") or alert.get("ts"), utc=True, errors="coerce")
        if since is not None and (pd.isna(ts) or ts < pd.Timestamp(since)):
            continue
        if until is not None and (pd.isna(ts) or ts > pd.Timestamp(until)):
            continue
        out.append(alert)
    return out
