"""`python -m core jobs list|kinds|status|wait|cancel|result|submit`: watch and steer background jobs.

Works with either backend (`HERALD_QUEUE`): states live in the shared
database, so a job submitted by the app can be watched or cancelled here.
`submit KIND --payload JSON [--wait]` queues a job of any registered kind
(e.g. `reindex`, `agent_train`, `noop`). `--json` prints one JSON object.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

from core.errors import InvalidInputError
from utils.settings import load_settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `jobs` sub-command."""
    p = subparsers.add_parser("jobs", help="list, watch, cancel or submit background jobs")
    p.add_argument("action", choices=("list", "kinds", "status", "wait", "cancel", "result", "submit"))
    p.add_argument("target", nargs="?", default="", help="a job id, or a job kind for submit")
    p.add_argument("--payload", default="{}", help="submit: the job's JSON payload")
    p.add_argument("--wait", action="store_true", help="submit: wait for the job and print its result")
    p.add_argument("--timeout", type=float, default=None, help="wait at most this many seconds")
    p.add_argument("--limit", type=int, default=20, help="list: how many jobs")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _print(args: Any, data: Any, lines: list[str]) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, default=str))
    else:
        print("\n".join(lines))


def _line(s: Any) -> str:
    extra = f"  error: {s.error}" if s.error else ""
    return f"{s.id}  {s.kind:<12} {s.state:<9} {s.progress:>5.0%}  {s.message}{extra}"


def watch(queue: Any, job_id: str, timeout: float | None = None, *, quiet: bool = False) -> Any:
    """Wait for a job, printing its progress to stderr; return its result (or raise its error)."""
    import time

    deadline = None if timeout is None else time.monotonic() + timeout
    last = ""
    while True:
        status = queue.status(job_id)
        line = f"{status.state} {status.progress:.0%} {status.message}"
        if not quiet and line != last:
            print(line, file=sys.stderr)
            last = line
        if status.finished or (deadline is not None and time.monotonic() >= deadline):
            break
        time.sleep(0.2)
    return queue.result(job_id)


def run(args: Any) -> int:
    """Run one jobs action."""
    from core.jobs import job_kinds, job_queue
    from core.services import build_services

    if args.action == "kinds":
        kinds = job_kinds()
        _print(args, {"kinds": kinds}, kinds)
        return 0
    services = build_services(load_settings())
    queue = job_queue(services)
    if args.action == "list":
        rows = queue.list(limit=args.limit)
        _print(args, {"backend": queue.backend, "jobs": [asdict(s) for s in rows]}, [_line(s) for s in rows])
        return 0
    if not args.target:
        raise InvalidInputError(
            f"jobs {args.action} needs a {'kind' if args.action == 'submit' else 'job id'}"
        )
    if args.action == "submit":
        try:
            payload = json.loads(args.payload)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(
                f'--payload is not JSON ({exc}); give e.g. \'{{"source": "."}}\''
            ) from exc
        job_id = queue.submit(args.target, payload)
        if not args.wait:
            _print(args, {"backend": queue.backend, "job_id": job_id}, [job_id])
            return 0
        result = watch(queue, job_id, args.timeout, quiet=args.json)
        _print(args, {"backend": queue.backend, "job_id": job_id, "result": result}, [json.dumps(result)])
        return 0
    if args.action == "cancel":
        status = queue.cancel(args.target)
    elif args.action == "wait":
        status = queue.wait(args.target, args.timeout)
    elif args.action == "result":
        result = queue.result(args.target, timeout=args.timeout)
        _print(args, {"job_id": args.target, "result": result}, [json.dumps(result)])
        return 0
    else:
        status = queue.status(args.target)
    _print(args, asdict(status), [_line(status)])
    return 0 if status.state != "failed" else 1
