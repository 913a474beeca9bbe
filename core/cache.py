"""Moderation and guard results cached by text hash and model version, shared across workers.

`cached_moderate(text, settings, guard=...)` and `cached_check(text, index,
embedder, settings, chain, project_text=...)` return exactly what
`core.moderation.moderate` and `chains.guard.check_post` return, looking the
answer up first in the result cache (`utils.cache`: Redis when
`HERALD_REDIS_URL` is set, else `data_dir/cache.db`). The key is the text's
SHA-256 plus a model version: for moderation the code and model files of
`core/moderation/`, the thresholds file, the backend packages' versions, the
Detoxify checkpoint, the project's hosts and what moderation reads of the guard's
report (its unsupported share and first unsupported claim); for the guard the code and parameter files of
`chains/guard/`, the index (content, embedder, chunking), the project text,
the guard settings and the writing providers. Change any of those and old
entries are simply never read again. A cache failure is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from utils.cache import ResultCache, open_cache, text_key

__all__ = [
    "cached_moderate",
    "cached_check",
    "result_cache",
    "moderation_version",
    "guard_version",
    "MODERATION_NS",
    "GUARD_NS",
]

ROOT = Path(__file__).resolve().parent.parent
MODERATION_NS = "moderation"
GUARD_NS = "guard"
_CACHES: dict[tuple[str, str], ResultCache] = {}
_LOCK = threading.Lock()


def result_cache(settings: Any) -> ResultCache:
    """The process-wide cache for these settings (one per Redis URL or data folder)."""
    ident = (getattr(settings, "redis_url", "") or "", str(settings.data_dir))
    with _LOCK:
        cache = _CACHES.get(ident)
        if cache is None:
            cache = _CACHES[ident] = open_cache(settings)
        return cache


@lru_cache(maxsize=8)
def _files_digest(folder: str, patterns: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for pattern in patterns:
        # subpackages count too (chains/guard/facts/): a change anywhere in the code changes the key
        for path in sorted(Path(folder).rglob(pattern)):
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=32)
def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def _file_digest(path: str) -> str:
    if not path:
        return ""
    p = Path(path)
    try:
        stat = p.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path}:{stat.st_size}:{int(stat.st_mtime)}"


def moderation_version(settings: Any) -> str:
    """What a moderation result depends on besides the text, as one short digest."""
    code = _files_digest(str(ROOT / "core" / "moderation"), ("*.py", "*.json", "*.json.gz"))
    parts = (
        code,
        _file_digest(getattr(settings, "moderation_thresholds_path", "")),
        _file_digest(getattr(settings, "detoxify_checkpoint", "")),
        getattr(settings, "guard_review_share", None),
        *(_package_version(p) for p in ("alt-profanity-check", "hatesonar", "detoxify", "scikit-learn")),
    )
    return text_key(*parts)[:16]


def cached_moderate(
    text: str,
    settings: Any,
    *,
    guard: Any = None,
    project_hosts: tuple[str, ...] = (),
    cache: ResultCache | None = None,
) -> Any:
    """`core.moderation.moderate`, answered from the cache when this text was moderated before."""
    from core.moderation import Moderation, moderate
    from core.moderation.decision import guard_unsupported_share

    cache = cache or result_cache(settings)
    # what of the guard's report the decision reads: the unsupported share and the first such claim
    guard_part = None if guard is None else guard_unsupported_share(guard)
    key = text_key(text or "", moderation_version(settings), guard_part, sorted(project_hosts))
    hit = cache.get(MODERATION_NS, key)
    if hit is not None:
        return Moderation.from_dict(hit)
    result = moderate(text, settings, guard=guard, project_hosts=tuple(project_hosts))
    if not any(": failed (" in f for f in result.fallbacks):  # a backend that crashed: not worth keeping
        cache.put(MODERATION_NS, key, result.to_dict())
    return result


def _chain_ident(chain: Any) -> list[str]:
    if chain is None:
        return []
    names = [getattr(p, "name", type(p).__name__) for p in getattr(chain, "providers", [])]
    try:
        from chains.guard.rewrite import can_rewrite
        from chains.guard.verify import judge_available

        names += [f"judge={judge_available(chain)[0]}", f"rewrite={can_rewrite(chain)[0]}"]
    except Exception:  # availability is part of the key; if it cannot be read, say so in the key
        names.append("availability=unknown")
    return names


def guard_version(settings: Any, index: Any, chain: Any = None, project_text: str = "") -> str | None:
    """What a guard report depends on besides the draft; None when the index has no stable identity."""
    index_key = getattr(index, "key", None)
    if not index_key:
        return None
    code = _files_digest(str(ROOT / "chains" / "guard"), ("*.py", "*.json", "*.json.gz"))
    parts = (
        code,
        _file_digest(str(ROOT / "chains" / "guard_params.json")),  # a refit changes every verdict
        index_key,
        text_key(project_text or ""),
        getattr(settings, "guard_judge_band", None),
        getattr(settings, "guard_evidence_k", None),
        getattr(settings, "embedding_model_path", ""),
        _chain_ident(chain),
    )
    return text_key(*parts)[:16]


def cached_check(
    text: str,
    index: Any,
    embedder: Any,
    settings: Any,
    chain: Any = None,
    *,
    project_text: str = "",
    cache: ResultCache | None = None,
) -> Any:
    """`chains.guard.check_post`, answered from the cache when this draft was checked before."""
    from chains.guard import check_post
    from chains.guard.report import report_from_dict, report_to_dict

    version = guard_version(settings, index, chain, project_text)
    if version is None:  # an ad-hoc search function: nothing stable to key on
        return check_post(text, index, embedder, settings, chain, project_text=project_text)
    cache = cache or result_cache(settings)
    key = text_key(text or "", version)
    hit = cache.get(GUARD_NS, key)
    if hit is not None:
        return report_from_dict(hit)
    report = check_post(text, index, embedder, settings, chain, project_text=project_text)
    cache.put(GUARD_NS, key, report_to_dict(report))
    return report
