"""`python -m core refine | versions | restore | improvements`: the Library's actions on a stored post.

Each new text passes `core.gate` exactly as it does from the pages; the printed status is the
one the gate gave it. Bad input raises a `HeraldError` (exit code 2 with one line).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from core.commands.acting import acting_user
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the `refine`, `versions`, `restore` and `improvements` sub-commands."""
    p = subparsers.add_parser("refine", help="rewrite a post as instructed (a new, checked version)")
    p.add_argument("--item", required=True, type=int, help="the item id")
    p.add_argument(
        "--instruction", required=True, help="how to change it, e.g. 'shorter, end with a question'"
    )
    p.add_argument("--user", default="cli", help="who asks for it (stored with the version)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_refine)

    p = subparsers.add_parser("versions", help="list every version of an item")
    p.add_argument("--item", required=True, type=int, help="the item id")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_versions)

    p = subparsers.add_parser("restore", help="restore an old version as a new, checked version")
    p.add_argument("--item", required=True, type=int, help="the item id")
    p.add_argument(
        "--version", required=True, type=int, help="the version NUMBER to restore (see `versions`)"
    )
    p.add_argument("--user", default="cli", help="who restores it")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_restore)

    p = subparsers.add_parser("improvements", help="accept or dismiss an item's pending improvement")
    p.add_argument("--item", required=True, type=int, help="the item id")
    p.add_argument(
        "action", choices=("accept", "dismiss"), help="accept: it becomes current; dismiss: it goes"
    )
    p.add_argument("--user", default="cli", help="who decides")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_improvements)


def _services() -> Services:
    """Services from the environment (tests replace this to inject fakes)."""
    return build_services(load_settings())


def _gate_json(result: Any) -> dict[str, Any]:
    return {
        "item_id": result.item.id,
        "version_id": result.current.id,
        "number": result.current.number,
        "origin": result.proposed.origin,
        "status": result.status,
        "reasons": list(result.reasons),
        "text": result.current.text,
    }


def _print_gate(result: Any, args: argparse.Namespace, verb: str) -> int:
    if args.json:
        print(json.dumps(_gate_json(result), ensure_ascii=False))
        return 0
    print(result.current.text)
    print()
    print(
        f"-- item {result.item.id}: {verb} as version {result.proposed.number} -> {result.status.replace('_', ' ')}"
        f" ({'; '.join(result.reasons)})"
    )
    return 0


def run_refine(args: argparse.Namespace) -> int:
    """Refine the current version; print the checked result."""
    from core.posts.refine import refine_post

    return _print_gate(
        refine_post(
            (services := _services()),
            args.item,
            args.instruction,
            user=args.user,
            by=acting_user(args, services),
        ),
        args,
        "refined",
    )


def run_versions(args: argparse.Namespace) -> int:
    """Print every version with its origin, state and whether it is current."""
    from core.posts.library import item_versions

    services = _services()
    item = services.store.get_item(args.item)
    infos = item_versions(services.store, args.item)
    current = services.store.latest_version(args.item).id
    rows = [
        {
            "id": v.version.id,
            "number": v.version.number,
            "origin": v.version.origin,
            "state": v.version.state,
            "text": v.version.text,
            "created_at": v.version.created_at,
            "actor": v.version.actor,
            "parent_id": v.version.parent_id,
            "current": v.version.id == current,
            "mean_stars": v.mean_stars,
            "ratings": v.ratings,
        }
        for v in infos
    ]
    if args.json:
        print(json.dumps({"item_id": item.id, "status": item.status, "versions": rows}, ensure_ascii=False))
        return 0
    print(f"item {item.id} ({item.status.replace('_', ' ')}): {len(rows)} version(s)")
    for r in rows:
        mark = "*" if r["current"] else " "
        preview = " ".join(r["text"].split())[:70]
        print(f"{mark} v{r['number']:<3} {r['origin']:<15} {r['state']:<9} {r['created_at'][:19]}  {preview}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore version N as a new version that passes the gate."""
    from core.posts.library import restore_version

    result = restore_version(
        (services := _services()), args.item, args.version, actor=args.user, by=acting_user(args, services)
    )
    return _print_gate(result, args, f"version {args.version} restored")


def run_improvements(args: argparse.Namespace) -> int:
    """Accept or dismiss the pending improvement."""
    from core.posts.library import resolve_improvement

    result = resolve_improvement(
        (services := _services()),
        args.item,
        args.action == "accept",
        actor=args.user,
        by=acting_user(args, services),
    )
    if result is None:
        if args.json:
            print(json.dumps({"item_id": args.item, "dismissed": True}))
        else:
            print(f"item {args.item}: the pending improvement was dismissed; the current version stays")
        return 0
    return _print_gate(result, args, "improvement accepted")
