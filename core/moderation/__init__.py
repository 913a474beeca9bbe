"""Moderation in four levels: approved, flagged, review_required, rejected.

Public surface: `moderate`, `moderate_batch`, `Moderation`, `Reason`, the
backend interface and registry, `normalise_text`, `technical_view` and
`spam_view` (what the word models read of a post about software),
`project_hosts_from` (the hosts a project's own files link to, for
`moderate(project_hosts=...)`), and the level/category names. Storing decisions is
`core.moderation.store` (not imported here); the review queue lives in `core.review`.
"""

from core.moderation.backends import (
    ModerationBackend,
    UnknownBackendError,
    backend_names,
    get_backend,
    register_backend,
)
from core.moderation.decision import CATEGORIES, LEVELS, load_thresholds
from core.moderation.engine import Moderation, Reason, backend_status, moderate, moderate_batch
from core.moderation.normalise import normalise_text, unleet
from core.moderation.rules import project_hosts_from
from core.moderation.technical import spam_view, technical_view

__all__ = [
    "CATEGORIES",
    "LEVELS",
    "Moderation",
    "ModerationBackend",
    "Reason",
    "UnknownBackendError",
    "backend_names",
    "backend_status",
    "get_backend",
    "load_thresholds",
    "moderate",
    "moderate_batch",
    "normalise_text",
    "project_hosts_from",
    "register_backend",
    "spam_view",
    "technical_view",
    "unleet",
]
