"""`python -m core audit [--since WHEN] [--user NAME] [--action PREFIX] [--json|--csv]`: the audit trail.

Admins only (in single-user mode, the local user). `--since` takes an ISO date
or time (`2026-12-01`, `2026-12-01T09:00`) or an age (`30m`, `24h`, `7d`).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from core import auth
from core.commands.acting import acting_user
from core.errors import InvalidInputError
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register", "run", "parse_since"]

_AGE = re.compile(r"^(\d+)\s*([mhd])$")


def register(subparsers: Any) -> None:
    """Add the `audit` sub-command."""
    p = subparsers.add_parser("audit", help="list the audit trail (admins)")
    p.add_argument("--since", default="", help="ISO date/time, or an age such as 30m, 24h, 7d")
    p.add_argument("--user", default="", help="only this user's actions")
    p.add_argument("--action", default="", help="only actions starting with this, e.g. signin or review.")
    p.add_argument("--limit", type=int, default=500)
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")
    p.set_defaults(func=run)


def _services() -> Services:
    """Services from the environment (tests may replace this)."""
    return build_services(load_settings())


def parse_since(text: str, now: datetime | None = None) -> str | None:
    """An ISO lower bound from an ISO date/time or an age; `InvalidInputError` otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    age = _AGE.match(text)
    if age:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[age.group(2)]
        moment = (now or datetime.now(UTC)) - timedelta(**{unit: int(age.group(1))})
        return moment.isoformat(timespec="milliseconds")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInputError(
            "--since takes an ISO date such as 2026-12-01, or an age such as 24h or 7d"
        ) from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat(timespec="milliseconds")


def run(args: argparse.Namespace) -> int:
    """Print the audit trail; returns 0."""
    services = _services()
    auth.require(acting_user(args, services), "audit.view")
    entries = auth.list_audit(
        services.store,
        since=parse_since(args.since),
        user=args.user or None,
        action=args.action or None,
        limit=args.limit,
    )
    if args.json:
        print(json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=2))
    elif args.csv:
        print(auth.audit_csv(entries), end="")
    else:
        for e in entries:
            print(f"{e.ts}\t{e.user}\t{e.action}\t{e.target}\t{e.outcome}")
    return 0
