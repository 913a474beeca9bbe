"""`python -m core agent stats|train|evaluate [--json]`: inspect and retrain the strategy agent.

`stats` prints the stored agent's sizes, mean rewards and any corrupt Q-table
rows; `train` replays the whole stored history into a fresh Q-table; `evaluate`
prints IPS, self-normalised IPS and doubly robust estimates of the greedy
policy's value from the logged choices. Reads the database named by the
environment (HERALD_DATA_DIR / HERALD_DB_PATH); never loads a model.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from core.agent import Agent
from core.store import Store
from utils.settings import load_settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `agent` sub-command."""
    p = subparsers.add_parser(
        "agent", help="the strategy agent: stats, train (replay history), evaluate (OPE)"
    )
    p.add_argument("action", choices=("stats", "train", "evaluate"), help="what to do")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def run(args: Any) -> int:
    """Run one agent action and print its result."""
    settings = load_settings()
    agent = Agent.from_store(Store.open(settings.database_target), settings)
    if args.action == "stats":
        result: Any = agent.stats()
    elif args.action == "train" and settings.queue_backend == "celery":  # a worker trains
        from core.commands.jobs import watch
        from core.jobs import job_queue
        from core.services import build_services

        queue = job_queue(build_services(settings))
        trained = watch(queue, queue.submit("agent_train", {}), quiet=args.json)
        print(json.dumps({"action": args.action, **trained}) if args.json else json.dumps(trained))
        return 0
    elif args.action == "train":
        result = agent.train_now()
    else:
        result = agent.evaluate()
    data = asdict(result)
    if args.json:
        print(json.dumps({"action": args.action, **data}, default=list))
        return 0
    for key, value in data.items():
        if key == "corrupt_rows":
            print(f"{'corrupt rows':<22} {len(value)}")
            for row in value:
                print(f"  {row}")
            continue
        print(f"{key.replace('_', ' '):<22} {_fmt(value)}")
    return 0
