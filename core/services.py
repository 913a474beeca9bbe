"""The dependencies a job needs, built once from settings and passed in.

`Services` holds the settings, the store and the event log, and loads the
heavy parts (embedder, writing chain) lazily on first use, so that building it
is instant and importing it loads nothing. Pages get one through
`pages/common.py` (cached); the CLI builds its own; tests build one with fakes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.store import Store
from utils.events import EventLog
from utils.settings import Settings

if TYPE_CHECKING:
    from chains.providers import FallbackChain
    from rag.embeddings import Embedder

__all__ = ["Services", "build_services"]


@dataclass
class Services:
    """Settings, store, event log, and lazily built embedder and writing chain."""

    settings: Settings
    store: Store
    events: EventLog
    embedder_override: Any = None
    chain_override: Any = None
    extras: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _embedder: Any = field(default=None, repr=False)
    _chain: Any = field(default=None, repr=False)

    def embedder(self) -> Embedder:
        """The embedder (loaded on first call, then reused)."""
        if self.embedder_override is not None:
            return self.embedder_override
        with self._lock:
            if self._embedder is None:
                from rag.embeddings import load_embedder

                self._embedder = load_embedder(self.settings)
            return self._embedder

    def chain(self) -> FallbackChain:
        """The writing providers' fallback chain, in the order settings give."""
        if self.chain_override is not None:
            return self.chain_override
        with self._lock:
            if self._chain is None:
                from chains.providers import build_chain

                self._chain = build_chain(self.settings, events=self.events)
            return self._chain


def build_services(
    settings: Settings, *, embedder: Any = None, chain: Any = None, store: Store | None = None
) -> Services:
    """Open the store and event log named by settings; heavy parts stay lazy."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    return Services(
        settings=settings,
        store=store or Store.open(settings.database_target),
        events=EventLog(settings.log_dir, max_bytes=settings.log_max_bytes),
        embedder_override=embedder,
        chain_override=chain,
    )
