"""`python -m core metrics [--since ISO] [--until ISO] [--source ID] [--provider NAME] [--json]`.

Prints what the Dashboard shows, from the same `core.dashboard.build_dashboard`:
what was read, latency percentiles per provider, fallback and error rates per
provider, guard and moderation rates, ratings, the drift tests and the alerts.
Bad dates raise `InvalidInputError` (exit 2). It draws no charts.
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from core.errors import InvalidInputError

__all__ = ["register", "run", "dashboard_json", "parse_when"]


def register(subparsers: Any) -> None:
    """Add the `metrics` sub-command."""
    p = subparsers.add_parser("metrics", help="print the dashboard's aggregates, drift tests and alerts")
    p.add_argument("--since", help="start of the period, ISO 8601 (UTC when no offset), e.g. 2026-11-01")
    p.add_argument("--until", help="end of the period, ISO 8601 (UTC when no offset)")
    p.add_argument("--source", type=int, default=None, help="only posts from this source id")
    p.add_argument(
        "--provider", default=None, help="only this provider (groq, openai_compat, local, template)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def parse_when(value: str | None, flag: str) -> datetime | None:
    """An ISO 8601 date or time as an aware UTC datetime; raises InvalidInputError naming the flag."""
    if value is None or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(
            f"{flag} {value!r} is not an ISO 8601 date: use e.g. 2026-11-01 or 2026-11-01T09:00"
        ) from exc
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _services():
    """Services from the environment (tests may replace this)."""
    from core.services import build_services
    from utils.settings import load_settings

    return build_services(load_settings())


def run(args: argparse.Namespace) -> int:
    """Build the dashboard data for the period and print it."""
    from core.dashboard import DashboardQuery, build_dashboard

    query = DashboardQuery(
        since=parse_when(args.since, "--since"),
        until=parse_when(args.until, "--until"),
        source_id=args.source,
        provider=args.provider or None,
    )
    dashboard = build_dashboard(_services(), query)
    data = dashboard_json(dashboard)
    if args.json:
        print(json.dumps(data, indent=2, default=str))
    else:
        print(_text(data))
    return 0


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return None if pd.isna(value) else value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return _clean(value.item())
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def dashboard_json(d: Any) -> dict[str, Any]:
    """The JSON object `metrics --json` prints for a `Dashboard`."""
    r = d.report
    return {
        "period": {"since": _clean(d.start), "until": _clean(d.end), "bucket": d.freq},
        "read": {
            "summary": r.summary(),
            "events": r.events,
            "files": len(r.files),
            "bytes_read": r.bytes_read,
            "bytes_total": r.bytes_total,
            "truncated": r.truncated,
            "malformed_lines": r.malformed,
            "missing_required": r.missing_required,
            "out_of_order": r.out_of_order,
            "unknown_fields": list(r.unknown_fields),
        },
        "summary": {k: _clean(v) for k, v in d.summary.items()},
        "latency_by_provider": _records(d.latency_table),
        "providers": _records(d.providers.drop(columns=["last_ts"], errors="ignore")),
        "ratings": _records(d.ratings_dist),
        "cost": _records(d.cost),
        "review": {
            "backlog": d.review.backlog,
            "decided": d.review.decided,
            "median_hours": d.review.median_hours,
            "p90_hours": d.review.p90_hours,
        },
        "ope": d.ope,
        "drift": [
            {
                "metric": x.metric,
                "test": x.test,
                "status": x.status,
                "statistic": _clean(x.statistic),
                "p_value": _clean(x.p_value),
                "psi": _clean(x.psi),
                "n_recent": x.n_recent,
                "n_reference": x.n_reference,
                "message": x.message,
                "items": list(x.items),
            }
            for x in d.drift.results
        ],
        "alerts": list(d.alerts),
    }


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "-"
    return f"{v:.1%}" if pct else (f"{v:,.1f}" if isinstance(v, float) else str(v))


def _text(data: dict[str, Any]) -> str:
    s = data["summary"]
    lines = [f"Read: {data['read']['summary']}"]
    if not s["events"]:
        lines.append(
            "No events in this period. Generate a post (python -m core generate --source PATH) to log some."
        )
    lines.append(
        f"Posts {s['posts']}, fallback rate {_fmt(s['fallback_rate'], True)}, errors {s['errors']} "
        f"({_fmt(s['error_rate'], True)}), guard confidence {_fmt(s['guard_confidence'])}, "
        f"unsupported claims {_fmt(s['unsupported_share'], True)}, ratings {s['ratings']} "
        f"(mean {_fmt(s['mean_stars'])}), mean reward {_fmt(s['mean_reward'])}"
    )
    if s["moderation_levels"]:
        lines.append("Moderation: " + ", ".join(f"{k} {v:.1%}" for k, v in s["moderation_levels"].items()))
    if data["latency_by_provider"]:
        lines.append("Latency per provider (ms):  p50  p95  p99  n")
        for row in data["latency_by_provider"]:
            lines.append(
                f"  {row['provider']:<14} {_fmt(row['p50'])}  {_fmt(row['p95'])}  {_fmt(row['p99'])}  {row['n']}"
            )
    for row in data["providers"]:
        lines.append(
            f"  {row['provider']:<14} attempts {row['attempts']}, errors {row['errors']} "
            f"({_fmt(row['error_rate'], True)}), fallback rate {_fmt(row['fallback_rate'], True)}"
        )
    lines.append("Drift:")
    for x in data["drift"]:
        lines.append(f"  [{x['status']}] {x['message']}")
    lines.append(f"Alerts: {len(data['alerts'])}")
    for a in data["alerts"][-10:]:
        lines.append(f"  {a.get('recent_end', '')} {a.get('message', '')}")
    return "\n".join(lines)
