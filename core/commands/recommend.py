"""`python -m core recommend --user NAME [--json]`: a user's recommended posts and what is trending.

Builds its own `Services` from the environment and calls
`core.recommend.recommend` (which embeds new items once with the configured
embedder, offline) and `core.recommend.trending`. Bad input raises a
`HeraldError`, which `core.cli` turns into `error: ...` and exit code 2.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from core.recommend import recommend, trending
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `recommend` sub-command."""
    p = subparsers.add_parser("recommend", help="recommended posts for a user, and what is trending")
    p.add_argument("--user", required=True, help="the user name ratings were stored under")
    p.add_argument("-k", type=int, default=10, help="how many recommendations (1-100)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _services() -> Services:
    """Services from the environment (tests replace this to inject fakes)."""
    return build_services(load_settings())


def run(args: Any) -> int:
    """Print recommendations and trending items."""
    services = _services()
    recs = recommend(services, args.user, args.k)
    trend = trending(services, args.k)
    if args.json:
        print(json.dumps({"recommendations": asdict(recs), "trending": [asdict(t) for t in trend]}))
        return 0
    mode = "cold start: " if recs.cold_start else ""
    print(f"Recommendations for {recs.user} ({mode}{', '.join(recs.parts_used) or 'no signal yet'})")
    for n, r in enumerate(recs.items, 1):
        print(f"{n:>3}. [{r.item_id}] {r.title[:70]:<70} {r.score:.3f}  {r.reason}")
    if not recs.items:
        print("  nothing to recommend yet")
    for note in recs.notes:
        print(f"  note: {note}")
    print("Trending")
    for n, t in enumerate(trend, 1):
        print(
            f"{n:>3}. [{t.item_id}] {t.title[:70]:<70} {t.score:.3f}  {t.ratings} ratings, {t.exports} exports"
        )
    if not trend:
        print("  nothing yet: rate or export a post")
    return 0
