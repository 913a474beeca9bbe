"""`python -m core users add|list|remove|token|roles`: accounts from the command line.

`add NAME --role ROLE [--role ROLE] [--password-stdin] [--token]` creates an
account (the password is read from stdin, never from an argument, so it stays
out of the shell history and `ps`; `--token` also prints its first API token,
which is how the first admin gets one); `token NAME` prints a new token once. The first
account can always be added from the machine's shell; after that the command
acts as an admin (`--as NAME` with HERALD_TOKEN). Everything is audited.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from core import auth
from core.commands.acting import acting_user
from core.errors import InvalidInputError
from core.services import Services, build_services
from utils.settings import load_settings

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the `users` sub-command."""
    p = subparsers.add_parser("users", help="add, list, remove users; create API tokens")
    p.add_argument("action", choices=("add", "list", "remove", "token", "roles"))
    p.add_argument("name", nargs="?", default="", help="user name (letters, digits, . _ @ -)")
    p.add_argument("--role", action="append", default=[], help=f"one of {', '.join(auth.ROLES)} (repeatable)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--label", default="", help="token: a label to recognise it by")
    p.add_argument("--token", action="store_true", help="add: also print a first API token (shown once)")
    p.add_argument("--json", action="store_true", help="list: print JSON")
    p.set_defaults(func=run)


def _services() -> Services:
    """Services from the environment (tests may replace this)."""
    return build_services(load_settings())


def _actor(args: argparse.Namespace, services: Services) -> auth.User:
    if args.action == "add" and not auth.accounts_exist(services.store):
        return auth.LOCAL_USER  # bootstrapping the first account from the server's own shell
    return acting_user(args, services)


def run(args: argparse.Namespace) -> int:
    """Run one users action; returns 0."""
    services = _services()
    store = services.store
    actor = _actor(args, services)
    if args.action == "list":
        auth.require(actor, "users.manage")
        accounts = auth.list_users(store)
        if args.json:
            print(json.dumps([asdict(a) for a in accounts], indent=2))
        for a in [] if args.json else accounts:
            lock = f" locked until {a.locked_until}" if a.locked_until else ""
            print(
                f"{a.name}\t{','.join(a.roles)}\tpassword {'yes' if a.has_password else 'no'}\t{a.tokens} token(s){lock}"
            )
        return 0
    if not args.name:
        raise InvalidInputError(f"users {args.action} needs a NAME (see `python -m core users list`)")
    if args.action == "token":
        if actor.name.lower() != args.name.lower():
            auth.require(actor, "users.manage")
        token = auth.create_token(store, args.name, args.label, by=actor)
        print(token)
        print("(shown once: store it now; send it as 'Authorization: Bearer TOKEN')", file=sys.stderr)
        return 0
    auth.require(actor, "users.manage")
    if args.action == "add":
        password = None
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        account = auth.add_user(store, args.name, args.role, password, by=actor)
        print(f"added {account.name} ({', '.join(account.roles)})")
        if args.token:
            print(auth.create_token(store, account.name, args.label or "first token", by=actor))
            print("(the token is shown once: store it now)", file=sys.stderr)
    elif args.action == "roles":
        account = auth.set_roles(store, args.name, args.role, by=actor)
        print(f"{account.name}: {', '.join(account.roles)}")
    else:
        auth.remove_user(store, args.name, by=actor)
        print(f"removed {args.name} (its tokens and sessions too)")
    return 0
