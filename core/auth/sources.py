"""Which local folders a user may load once Herald is shared.

In single-user mode any folder is fine (it is the user's own laptop). Once an
account exists, or HERALD_AUTH=required, a local folder must lie under one of
HERALD_SOURCE_ROOTS (default: none, so only URLs and uploads), after
resolving symlinks and `..`.
"""

from __future__ import annotations

from pathlib import Path

from core.auth.accounts import accounts_exist
from core.errors import PermissionDeniedError
from core.store import Store
from utils.settings import Settings

__all__ = ["check_local_source"]


def check_local_source(path: str, store: Store, settings: Settings) -> None:
    """Raise `PermissionDeniedError` when a shared server may not read the folder `path`."""
    if settings.auth_mode != "required" and not accounts_exist(store):
        return
    target = Path(path).expanduser().resolve()
    for root in settings.source_roots:
        base = Path(root).expanduser().resolve()
        if target == base or base in target.parents:
            return
    allowed = ", ".join(settings.source_roots) or "none"
    raise PermissionDeniedError(
        f"On a shared server a local folder must be under HERALD_SOURCE_ROOTS (now: {allowed}); "
        "use a repository URL or upload the files, or ask an admin to add the folder"
    )
