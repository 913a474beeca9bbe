"""Single-user mode and the acting user of the CLI.

On a laptop (no account yet, HERALD_AUTH not `required`, the server bound to
localhost) Herald runs as one local user holding every role. As soon as any
of the three conditions fails, everyone must sign in. The CLI acts as
`--as NAME` with that user's token in HERALD_TOKEN, or as the local user in
single-user mode.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from core.auth.accounts import accounts_exist, user_for_token
from core.auth.errors import SignInFailedError
from core.auth.types import LOCAL_USER, User
from core.store import Store
from utils.settings import Settings

__all__ = ["LOCAL_HOSTS", "is_local_host", "single_user_mode", "cli_user"]

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_local_host(host: str | None) -> bool:
    """True when `host` is a loopback name or address."""
    return (host or "").strip().lower() in LOCAL_HOSTS


def single_user_mode(store: Store, settings: Settings, host: str | None) -> bool:
    """True when Herald may run without sign-in: no account, auth not required, bound to localhost."""
    return settings.auth_mode != "required" and is_local_host(host) and not accounts_exist(store)


def cli_user(store: Store, settings: Settings, as_name: str | None, environ: Mapping[str, str]) -> User:
    """The CLI's acting user: `--as NAME` + HERALD_TOKEN, else the local user in single-user mode."""
    token = environ.get("HERALD_TOKEN", "")
    if as_name or token:
        if not token:
            raise SignInFailedError(f"--as {as_name} needs that user's API token in HERALD_TOKEN")
        user = user_for_token(store, token)
        if as_name and not hmac.compare_digest(user.name.lower().encode(), as_name.strip().lower().encode()):
            raise SignInFailedError(
                "HERALD_TOKEN does not belong to the --as user: use that user's own token"
            )
        return user
    if single_user_mode(store, settings, "localhost"):
        return LOCAL_USER
    raise SignInFailedError(
        "Accounts exist (or HERALD_AUTH=required): act as a user with --as NAME and HERALD_TOKEN "
        "(create one with `python -m core users token NAME`)"
    )
