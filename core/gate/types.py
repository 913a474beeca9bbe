"""The gate's dataclasses: a proposed version, a new item, the project to check against, the result."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from core.store import Item, ItemStatus, Version

LOG = logging.getLogger(__name__)
EXPORTABLE_STATUSES = (ItemStatus.READY, ItemStatus.APPROVED, ItemStatus.FLAGGED)
REVIEW_APPROVE_HINT = (
    "approve it on the Review page or with `python -m core review approve --item {id} --reviewer NAME`"
)


@dataclass(frozen=True)
class ProposedVersion:
    """A version someone wants to add: the text and where it came from."""

    text: str
    origin: str  # one of core.store.VERSION_ORIGINS
    actor: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    parent_id: int | None = None
    provider: str = ""
    pending: bool = False  # True: stored as pending (an improvement); accept_pending makes it current


@dataclass(frozen=True)
class NewItem:
    """The item a first version creates."""

    kind: str = "post"
    title: str = ""
    source_id: int | None = None
    created_by: str = ""


@dataclass(frozen=True)
class ProjectContext:
    """What the guard checks claims against: the project's index and documents."""

    index: Any
    documents: tuple[Any, ...] = ()


@dataclass(frozen=True)
class GateResult:
    """What the gate decided and stored for one proposed version."""

    item: Item
    proposed: Version  # the version as proposed
    current: Version  # the version now current (the guard's revision when it made one) or pending
    status: str
    guard: Any = None  # chains.guard GuardReport, None when there was no project to check against
    moderation: Any = None  # core.moderation Moderation of the current text
    secrets: tuple[str, ...] = ()  # kinds of secrets found in the text (it is then rejected)
    reasons: tuple[str, ...] = ()  # why the status is what it is, in words
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ExportPermit:
    """May this item leave Herald, and with what warning."""

    item: Item
    version: Version
    warning: str = ""
