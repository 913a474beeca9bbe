"""Job kinds: one registry from a kind's name to its handler, shared by every backend.

A handler is `fn(payload: dict, ctx: JobContext) -> JSON-able result`; it
reaches settings, store and models through `ctx.services`, reports progress
with `ctx.progress(fraction, message)` and stops early when `ctx.cancelled()`.
A kind may be registered with the function itself or with a `"module:function"`
path that is imported on first use, so registering loads nothing heavy and a
Celery worker (another process) finds the same kinds: built-in kinds are listed
in `BUILTIN_KINDS`, which every process reads.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from core.jobs.errors import UnknownJobKindError
from core.jobs.model import Handler

__all__ = ["BUILTIN_KINDS", "register_job_kind", "get_job_kind", "job_kinds"]

# kind -> "module:function"; imported lazily. A kind a Celery worker must run belongs here
# (or in a module the worker imports), since a function registered at run time in the app
# process is unknown to the worker process.
BUILTIN_KINDS: dict[str, str] = {
    "noop": "core.jobs.kinds:noop_job",
    "sleep": "core.jobs.kinds:sleep_job",
    "video": "core.video.service:run_render_job",
    "reindex": "core.jobs.kinds:reindex_job",
    "agent_train": "core.jobs.kinds:agent_train_job",
    "batch": "core.batch.jobs:run_batch_job",
}

_KINDS: dict[str, Handler | str] = dict(BUILTIN_KINDS)
_LOCK = threading.Lock()


def register_job_kind(name: str, fn: Callable[[dict[str, Any], Any], Any] | str) -> None:
    """Add or replace a job kind: a handler `fn(payload, ctx)` or its `"module:function"` path."""
    if not name or not isinstance(name, str):
        raise ValueError("A job kind needs a non-empty name")
    if not (callable(fn) or (isinstance(fn, str) and ":" in fn)):
        raise ValueError(f"Job kind {name!r}: give a function or a 'module:function' path")
    with _LOCK:
        _KINDS[name] = fn


def job_kinds() -> list[str]:
    """Names of every registered kind."""
    with _LOCK:
        return sorted(_KINDS)


def get_job_kind(name: str) -> Handler:
    """The handler of a kind (importing it on first use); raises UnknownJobKindError."""
    with _LOCK:
        target = _KINDS.get(name)
    if target is None:
        raise UnknownJobKindError(f"No handler for job kind {name!r}; known kinds: {job_kinds()}")
    if callable(target):
        return target
    module_name, _, attr = target.partition(":")
    try:
        fn = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise UnknownJobKindError(
            f"Job kind {name!r} points at {target!r}, which cannot be imported ({exc}); "
            "fix the path in core/jobs/registry.py BUILTIN_KINDS or register_job_kind"
        ) from exc
    with _LOCK:
        if _KINDS.get(name) == target:
            _KINDS[name] = fn
    return fn
