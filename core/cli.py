"""Herald's command line: `python -m core COMMAND ...`.

Each command lives in `core/commands/<module>.py`, which defines
`register(subparsers)` adding one or more sub-commands, each with
`set_defaults(func=run)` where `run(args) -> int`. This module only wires them
together and turns `HeraldError`s into a one-line reason and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from core.errors import HeraldError

__all__ = ["main", "build_parser"]

COMMAND_MODULES = (
    "generate",
    "export",
    "posts",
    "guard",
    "moderate",
    "review",
    "video",
    "agent",
    "recommend",
    "metrics",
    "jobs",
    "worker",
    "batch",
    "users",
    "audit",
    "api",
)


AS_HELP = "act as this user (their API token in HERALD_TOKEN); default: the local user in single-user mode"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command module registered."""
    parser = argparse.ArgumentParser(prog="python -m core", description="Herald command line")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    parser.add_argument("--as", dest="as_user", default=None, help=AS_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"core.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"core.commands.{name}":
                continue
            raise
        module.register(sub)
    for command in sub.choices.values():  # `--as NAME` also after the command name
        command.add_argument("--as", dest="as_user", default=argparse.SUPPRESS, help=AS_HELP)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (2 with a one-line reason on bad input)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except HeraldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
