"""Who a CLI command acts as: `--as NAME` with HERALD_TOKEN, or the local user in single-user mode."""

from __future__ import annotations

import argparse
import os

from core.auth import User, cli_user
from core.services import Services

__all__ = ["acting_user"]


def acting_user(args: argparse.Namespace, services: Services) -> User:
    """The acting `User` for this command (raises `SignInFailedError` naming what to set)."""
    return cli_user(services.store, services.settings, getattr(args, "as_user", None), os.environ)
