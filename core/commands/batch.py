"""`python -m core batch`: many sources -> one job each -> a posting calendar, a Buffer CSV and a plain CSV.

Reads the sources file (`core.batch.read_sources`), submits one job per valid
row to the configured queue, waits for all of them (progress on stderr),
gates and schedules the written posts, writes the files, and prints a table
or (`--json`) exactly `{"backend", "rows": [{source, item_id, status, error,
job_id, posting_time}]}`. Exit code 0 when at least one post was exported,
1 when none was, 2 on unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.batch import export_batch, parse_schedule, read_sources, run_batch
from core.batch.run import BatchRow
from core.batch.schedule import DEFAULT_SCHEDULE, parse_start
from core.posts.export import record_export
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `batch` sub-command."""
    p = subparsers.add_parser("batch", help="write posts for many sources and schedule them")
    p.add_argument(
        "--sources", required=True, help="a file: one path/URL per line, or a CSV (source,style,tone,topic)"
    )
    p.add_argument("--style", default="announcement", help="default style for rows that give none")
    p.add_argument("--tone", default="professional", help="default tone for rows that give none")
    p.add_argument("--schedule", default=DEFAULT_SCHEDULE, help="days and times, e.g. 'mon,wed,fri 09:00'")
    p.add_argument("--start", default="", help="first day of the calendar, YYYY-MM-DD (default: today)")
    p.add_argument("--tz", default="UTC", help="IANA time zone of the schedule, e.g. Europe/Berlin")
    p.add_argument(
        "--buffer-csv", default="", help="write the Buffer CSV here (more than 100 posts: -2, -3 ...)"
    )
    p.add_argument("--csv", default="", help="write the plain CSV (every row, with reasons) here")
    p.add_argument("--timeout", type=float, default=None, help="stop waiting after this many seconds")
    p.add_argument("--user", default="batch", help="who is creating the posts")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.set_defaults(func=run)


def _services() -> Services:
    """Services from the environment (tests replace this to inject fakes)."""
    return build_services(load_settings())


def _buffer_paths(target: Path, count: int) -> list[Path]:
    if count <= 1:
        return [target]
    return [target.with_name(f"{target.stem}-{n}{target.suffix}") for n in range(1, count + 1)]


def _progress(rows: list[BatchRow]) -> None:
    done = sum(r.status in ("done", "failed", "cancelled", "refused") for r in rows)
    print(f"\r{done}/{len(rows)} sources finished", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Run the batch; see the module docstring."""
    schedule = parse_schedule(args.schedule, args.tz)
    start = parse_start(args.start, args.tz)
    sources = read_sources(args.sources, style=args.style, tone=args.tone)
    for message in sources.messages:
        print(f"warning: {message}", file=sys.stderr)
    services = _services()
    batch, rows = run_batch(
        services,
        sources,
        timeout=args.timeout,
        created_by=args.user,
        on_progress=None if args.json else _progress,
    )
    if not args.json:
        print(file=sys.stderr)
    result = export_batch(services, rows, schedule, start)
    if args.buffer_csv:
        paths = _buffer_paths(Path(args.buffer_csv), len(result.buffer_files))
        for path, (_, text) in zip(paths, result.buffer_files, strict=True):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            print(f"wrote {path}", file=sys.stderr)
        for row in result.rows:
            if row.status == "done" and row.item_id is not None:
                record_export(services, row.item_id, "buffer", warning=row.warning)
    if args.csv:
        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        Path(args.csv).write_text(result.plain_csv, encoding="utf-8", newline="")
        print(f"wrote {args.csv}", file=sys.stderr)
    if args.json:
        print(
            json.dumps(
                {"backend": batch.backend, "rows": [r.to_json() for r in result.rows]}, ensure_ascii=False
            )
        )
    else:
        for r in result.rows:
            when = r.posting_time or "-"
            extra = (
                f"item {r.item_id} · {r.engagement} {r.warning}".rstrip() if r.status == "done" else r.error
            )
            print(f"{when:<17} {r.status:<9} {r.source}  {extra}")
    return 0 if any(r.status == "done" for r in result.rows) else 1
