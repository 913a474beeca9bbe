"""`python -m core export`: write a stored post as LinkedIn text, Markdown, Notion, Buffer CSV or CSV.

Prints to stdout, or writes `--out FILE` (never over an existing file unless
`--force`). Several `--item` ids are allowed for the csv and buffer formats.
Only items that passed the gate are exported (ready, approved; flagged ones with a warning
on stderr); anything else is refused naming the next step. Bad input raises a
`HeraldError` (exit code 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from core.commands.acting import acting_user
from core.errors import InvalidInputError
from core.services import Services, build_services
from utils.export import EXPORT_FORMATS
from utils.settings import load_settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `export` sub-command."""
    p = subparsers.add_parser("export", help="export a stored post")
    p.add_argument(
        "--item", required=True, action="append", help="item id (repeat, or comma-separate, for csv/buffer)"
    )
    p.add_argument("--format", required=True, dest="fmt", help=f"one of {', '.join(EXPORT_FORMATS)}")
    p.add_argument("--out", default="", help="write to this file instead of stdout")
    p.add_argument("--force", action="store_true", help="replace --out if it exists")
    p.set_defaults(func=run)


def _services() -> Services:
    """Services from the environment (tests replace this to inject fakes)."""
    return build_services(load_settings())


def _item_ids(raw: list[str]) -> list[int]:
    ids: list[int] = []
    for chunk in raw:
        for part in chunk.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit():
                raise InvalidInputError(f"Item id {part!r} is not a number: use e.g. --item 3")
            ids.append(int(part))
    if not ids:
        raise InvalidInputError("No item id given: use --item ID (see the Library page for ids)")
    return ids


def run(args: argparse.Namespace) -> int:
    """Export the items and print or write the file; returns 0."""
    from core.posts.pipeline import export_items

    if args.fmt not in EXPORT_FORMATS:
        raise InvalidInputError(f"Unknown format {args.fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    ids = _item_ids(args.item)
    out = Path(args.out).expanduser() if args.out else None
    if out is not None:
        if out.is_dir():
            raise InvalidInputError(f"{out} is a folder: give a file name, e.g. --out {out / 'post.md'}")
        if out.exists() and not args.force:
            raise InvalidInputError(f"{out} already exists: choose another --out or add --force")
        if not out.parent.exists():
            raise InvalidInputError(f"Folder {out.parent} does not exist: create it first")
    services = _services()
    result = export_items(services, ids, args.fmt, by=acting_user(args, services))
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if out is None:
        sys.stdout.write(result.content.decode("utf-8"))
        sys.stdout.flush()
    else:
        out.write_bytes(result.content)
        print(f"wrote {out} ({len(result.content)} bytes, {result.mime.split(';')[0]})")
    return 0
