"""Errors raised by `chains`; each message names the fix.

`chains` sits below `core`, so these do not subclass `core.errors.HeraldError`;
the pipeline and the CLI turn them into user messages. Provider errors are
caught by the fallback chain and recorded as failed attempts; only
`AllProvidersFailedError` and `UnknownProviderError` normally reach callers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chains.types import Attempt

__all__ = [
    "ChainError",
    "UnknownProviderError",
    "ProviderError",
    "NeedsKeyError",
    "ProviderUnavailableError",
    "ProviderTimeoutError",
    "InvalidOutputError",
    "UnsupportedTaskError",
    "AllProvidersFailedError",
    "NoPassagesError",
]


class ChainError(Exception):
    """Base class for every error raised by `chains`."""


class UnknownProviderError(ChainError):
    """A provider name that is not registered."""


class ProviderError(ChainError):
    """One provider could not answer one request (the chain moves on)."""


class NeedsKeyError(ProviderError):
    """A provider needs an API key that is not set."""


class ProviderUnavailableError(ProviderError):
    """A provider is not configured or its package or model file is missing."""


class ProviderTimeoutError(ProviderError):
    """A provider did not answer within the timeout."""


class InvalidOutputError(ProviderError):
    """A provider answered with empty, too short or echoed text."""


class UnsupportedTaskError(ProviderError):
    """A provider cannot do this kind of task (e.g. the template cannot judge)."""


class AllProvidersFailedError(ChainError):
    """Every provider in the chain failed; `attempts` says how each one did."""

    def __init__(self, message: str, attempts: tuple[Attempt, ...] = ()):
        super().__init__(message)
        self.attempts = tuple(attempts)


class NoPassagesError(ChainError):
    """Nothing was retrieved to write from, so nothing can be grounded."""
