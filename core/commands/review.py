"""`python -m core review list|approve|reject|send-back|edit|history`: the review queue.

`list` shows flagged and review_required items (optionally `--reason CODE`),
with counts and the oldest waiting time; `--json` prints JSON. Actions need
`--item` and `--reviewer`; `reject` needs `--note`; `edit` takes the new text
from `--text` or `--text-file` and is moderated again. Everything is recorded.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from core.commands.acting import acting_user
from core.errors import InvalidInputError
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register", "run"]

ACTIONS = ("list", "approve", "reject", "send-back", "edit", "history")


def register(subparsers: Any) -> None:
    """Add the `review` sub-command."""
    p = subparsers.add_parser("review", help="list the review queue or act on an item")
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("--item", type=int, help="item id")
    p.add_argument("--reviewer", default="", help="your name (required for actions)")
    p.add_argument("--note", default="", help="why (required for reject)")
    p.add_argument("--reason", default=None, help="list: only items with this reason code (e.g. hate, spam)")
    p.add_argument("--text", default=None, help="edit: the corrected text")
    p.add_argument("--text-file", default=None, help="edit: read the corrected text from this file")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _services() -> Services:
    """Services from the environment (tests may replace this)."""
    return build_services(load_settings())


def _fmt_wait(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def run(args: argparse.Namespace) -> int:
    """Run one review action; returns 0."""
    from core import review

    services = _services()
    store = services.store
    by = acting_user(args, services)
    if args.action == "list":
        queue = review.list_queue(store, reason=args.reason)
        if args.json:
            payload = {
                "counts": queue.counts,
                "reason_counts": queue.reason_counts,
                "oldest_wait_s": queue.oldest_wait_s,
                "items": [
                    {
                        "item_id": q.item_id,
                        "title": q.title,
                        "status": q.status,
                        "reasons": list(q.reason_codes),
                        "waiting_s": round(q.waiting_s, 1),
                        "text": q.text,
                        "scores": q.moderation.scores if q.moderation else {},
                    }
                    for q in queue.items
                ],
            }
            print(json.dumps(payload, ensure_ascii=False, indent=2))
            return 0
        counts = ", ".join(f"{k} {v}" for k, v in queue.counts.items())
        print(f"queue: {counts}; oldest waiting {_fmt_wait(queue.oldest_wait_s)}")
        for q in queue.items:
            print(
                f"#{q.item_id}\t{q.status}\t{','.join(q.reason_codes) or '-'}\t{_fmt_wait(q.waiting_s)}\t{q.title[:60]}"
            )
        return 0
    if args.item is None:
        raise InvalidInputError(f"review {args.action} needs --item ID (see `python -m core review list`)")
    if args.action == "history":
        actions = review.review_history(store, args.item)
        if args.json:
            print(json.dumps([asdict(a) for a in actions], indent=2))
        for a in actions if not args.json else []:
            print(f"{a.created_at}\t{a.action}\t{a.reviewer}\t{a.from_status} -> {a.to_status}\t{a.note}")
        return 0
    if args.action == "approve":
        result = review.approve(store, args.item, args.reviewer, args.note, events=services.events, by=by)
    elif args.action == "reject":
        result = review.reject(store, args.item, args.reviewer, args.note, events=services.events, by=by)
    elif args.action == "send-back":
        result = review.send_back(store, args.item, args.reviewer, args.note, events=services.events, by=by)
    else:
        text = args.text
        if args.text_file:
            text = Path(args.text_file).expanduser().read_text(encoding="utf-8")
        if text is None:
            raise InvalidInputError("review edit needs the corrected text: --text '...' or --text-file FILE")
        result = review.edit_and_approve(services, args.item, args.reviewer, text, args.note, by=by)
    if args.json:
        print(
            json.dumps(
                {"item_id": result.item.id, "status": result.item.status, "action": asdict(result.action)},
                indent=2,
            )
        )
    else:
        print(
            f"item {result.item.id}: {result.action.action} by {result.action.reviewer} -> {result.item.status}"
        )
    return 0
