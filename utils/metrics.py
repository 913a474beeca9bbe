"""Read the JSONL event logs into one tidy, typed pandas frame, cached until the files change.

Reads every `events*.jsonl` under the log folder (the live file and the rotated
`events.N.jsonl` ones, oldest first), in chunks, within a byte budget (the newest
bytes are kept when a log is larger than the budget). Lines that are not JSON
objects are skipped and counted; lines without `ts` or `step` likewise; unknown
fields are kept (numbers as float, strings as text, lists as their length) and
named in the report. Parsing uses pyarrow's JSON reader and falls back to
orjson line by line for a chunk that holds a bad line.

Results are cached in process and on disk (Arrow files under `cache_dir`), keyed
by each file's path, size and mtime, so a reload of unchanged logs is instant.
Aggregation lives in `utils.aggregates`, drift tests in `utils.drift`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from utils.metrics_parse import fill_item_ids, parse_range, unify_tables
from utils.metrics_schema import CORE_COLUMNS

__all__ = [
    "FileRead",
    "LoadReport",
    "EventFrame",
    "load_events",
    "event_files",
    "clear_memory_cache",
    "flush_cache_writes",
    "CORE_COLUMNS",
]

LOG = logging.getLogger(__name__)
SCHEMA_VERSION = 4
CHUNK_BYTES = 32 * 1024 * 1024
KNOWN_FIELDS = frozenset(
    {
        *CORE_COLUMNS,
        "scores",
        "attempts",
        "fallback",
        "level",
        "confidence",
        "quality",
        "stars",
        "tokens_in",
        "tokens_out",
        "reward",
        "render_s",
        "duration_s",
        "error",
        "model",
        "source",
        "source_id",
        "unsupported_share",
        "liked",
    }
)
CATEGORY_COLUMNS = ("step", "provider", "outcome", "level", "model", "source")
_MEMORY: dict[tuple[Any, ...], EventFrame] = {}
_MEMORY_LOCK = threading.Lock()
_MEMORY_MAX = 4
_PENDING: dict[str, threading.Thread] = {}


@dataclass(frozen=True)
class FileRead:
    """What was read from one log file."""

    path: str
    size: int
    start: int  # first byte read (non-zero when the byte budget cut the file)
    bytes_read: int
    lines: int
    malformed: int
    missing_required: int


@dataclass(frozen=True)
class LoadReport:
    """What `load_events` read, skipped and counted."""

    files: tuple[FileRead, ...]
    bytes_total: int
    bytes_read: int
    byte_budget: int
    events: int
    lines: int
    malformed: int
    missing_required: int
    out_of_order: int
    unknown_fields: tuple[str, ...]
    source: str  # "parsed", "disk-cache" or "memory-cache"
    seconds: float

    @property
    def truncated(self) -> bool:
        """True when the byte budget left older bytes unread."""
        return self.bytes_read < self.bytes_total

    def summary(self) -> str:
        """One sentence for a page or the CLI."""
        text = f"{self.events:,} events from {len(self.files)} file(s), {_size(self.bytes_read)} read"
        if self.truncated:
            text += f" (the newest {_size(self.bytes_read)} of {_size(self.bytes_total)}: byte budget)"
        if self.malformed:
            text += f"; {self.malformed:,} malformed line(s) skipped"
        if self.missing_required:
            text += f"; {self.missing_required:,} line(s) without ts/step skipped"
        if self.out_of_order:
            text += f"; {self.out_of_order:,} out-of-order timestamp(s) sorted"
        return text


@dataclass(frozen=True)
class EventFrame:
    """The typed events frame (sorted by `ts`) and how it was read. Treat `frame` as read-only."""

    frame: Any  # pandas.DataFrame
    report: LoadReport


def _size(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.1f} kB"


def event_files(log_dir: Path) -> list[Path]:
    """Event log files under `log_dir`, oldest first (rotated `events.N.jsonl` by N, then `events.jsonl`)."""
    log_dir = Path(log_dir)
    if not log_dir.is_dir():
        return []
    rotated, live = [], []
    for p in log_dir.glob("events*.jsonl"):
        middle = p.name[len("events") : -len(".jsonl")]
        if middle == "":
            live.append(p)
        elif middle.startswith(".") and middle[1:].isdigit():
            rotated.append((int(middle[1:]), p))
    return [p for _, p in sorted(rotated)] + live


def clear_memory_cache() -> None:
    """Forget the in-process cache (the disk cache stays)."""
    with _MEMORY_LOCK:
        _MEMORY.clear()


def load_events(
    log_dir: Path,
    *,
    cache_dir: Path | None = None,
    max_bytes: int = 1_000_000_000,
    chunk_bytes: int = CHUNK_BYTES,
) -> EventFrame:
    """Read every event file under `log_dir` into one frame, from cache when nothing changed."""
    started = time.perf_counter()
    plan = _plan(event_files(log_dir), max_bytes)
    key = (str(Path(log_dir).resolve()), max_bytes, SCHEMA_VERSION, tuple(p[:5] for p in plan))
    with _MEMORY_LOCK:
        hit = _MEMORY.get(key)
    if hit is not None:
        return replace(
            hit, report=replace(hit.report, source="memory-cache", seconds=time.perf_counter() - started)
        )
    result = _load_combined(plan, key, cache_dir, chunk_bytes, max_bytes, started)
    with _MEMORY_LOCK:
        if len(_MEMORY) >= _MEMORY_MAX:
            _MEMORY.pop(next(iter(_MEMORY)))
        _MEMORY[key] = result
    return result


# --- planning and caching ---------------------------------------------------------------


def _plan(files: list[Path], budget: int) -> list[tuple[str, int, int, int, int, Path]]:
    """(path, size, mtime_ns, start, end, Path) per file, spending the byte budget newest first."""
    out = []
    remaining = max(0, budget)
    for path in reversed(files):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        size = st.st_size
        take = min(size, remaining)
        remaining -= take
        out.append((str(path), size, st.st_mtime_ns, size - take, size, path))
    return list(reversed(out))


def _digest(obj: Any) -> str:
    return hashlib.sha1(repr(obj).encode()).hexdigest()[:20]


def _load_combined(plan, key, cache_dir, chunk_bytes, budget, started) -> EventFrame:
    combined_path = cache_dir / f"events-{_digest(key)}.arrow" if cache_dir else None
    if combined_path is not None:
        _wait_for_write(combined_path)
    if combined_path is not None and combined_path.exists():
        try:
            table = _read_arrow(combined_path)
            report = _report_from_meta(table, "disk-cache", started)
            return EventFrame(_to_pandas(table), report)
        except Exception as exc:  # a damaged cache is rebuilt, never fatal
            LOG.warning("ignoring unreadable metrics cache %s: %s", combined_path, exc)
    tables, reads, unknown = [], [], set()
    for entry in plan:
        table, read = _load_file(entry, cache_dir, chunk_bytes)
        reads.append(read)
        if table.num_rows:
            tables.append(table)
            unknown.update(_unknown_names(table))
    _prune_file_caches(cache_dir, plan)
    table = unify_tables(tables)
    table, out_of_order = _sort_by_ts(_dictionary_encode(table))
    report = LoadReport(
        files=tuple(reads),
        bytes_total=sum(e[1] for e in plan),
        bytes_read=sum(r.bytes_read for r in reads),
        byte_budget=budget,
        events=table.num_rows,
        lines=sum(r.lines for r in reads),
        malformed=sum(r.malformed for r in reads),
        missing_required=sum(r.missing_required for r in reads),
        out_of_order=out_of_order,
        unknown_fields=tuple(sorted(unknown)),
        source="parsed",
        seconds=0.0,
    )
    table = fill_item_ids(table).combine_chunks()  # one chunk per column: a cached reload converts 5x faster
    if combined_path is not None:
        _write_arrow_later(combined_path, table, _report_meta(report))
    frame = _to_pandas(table)
    return EventFrame(frame, replace(report, seconds=time.perf_counter() - started))


def _file_cache_path(cache_dir: Path, entry) -> Path:
    path_s, size, mtime, start, end, _ = entry
    return cache_dir / f"file-{_digest((path_s, size, mtime, start, end, SCHEMA_VERSION))}.arrow"


def _prune_file_caches(cache_dir: Path | None, plan) -> None:
    if cache_dir is None or not cache_dir.is_dir():
        return
    keep = {_file_cache_path(cache_dir, e).name for e in plan}
    for old in cache_dir.glob("file-*.arrow"):
        if old.name not in keep:
            old.unlink(missing_ok=True)


def _load_file(entry, cache_dir, chunk_bytes):
    path_s, size, mtime, start, end, path = entry
    cached = _file_cache_path(cache_dir, entry) if cache_dir else None
    if cached is not None:
        _wait_for_write(cached)
    if cached is not None and cached.exists():
        try:
            table = _read_arrow(cached)
            meta = _meta(table)
            return table, FileRead(**meta["file"])
        except Exception as exc:
            LOG.warning("ignoring unreadable metrics cache %s: %s", cached, exc)
    table, lines, malformed, missing = parse_range(path, start, end, chunk_bytes)
    read = FileRead(path_s, size, start, end - start, lines, malformed, missing)
    if cached is not None and path.name != "events.jsonl":  # only rotated files are immutable
        _write_arrow_later(cached, table, {"file": read.__dict__})
    return table, read


def _unknown_names(table) -> set[str]:
    names = set()
    for name in table.column_names:
        base = name[len("score_") :] if name.startswith("score_") else None
        if base is None and name not in KNOWN_FIELDS:
            names.add(name.split(".")[0])
    return names


def _sort_by_ts(table):
    import numpy as np
    import pyarrow.compute as pc

    if table.num_rows < 2:
        return table, 0
    ts = table["ts"].combine_chunks().cast("int64").to_numpy(zero_copy_only=False)
    out_of_order = int(np.count_nonzero(np.diff(ts) < 0))
    if out_of_order:
        table = table.take(pc.sort_indices(table, sort_keys=[("ts", "ascending")]))
    return table, out_of_order


def _dictionary_encode(table):
    import pyarrow as pa

    for name in CATEGORY_COLUMNS:
        if name in table.column_names and pa.types.is_string(table.schema.field(name).type):
            idx = table.column_names.index(name)
            table = table.set_column(idx, name, table[name].dictionary_encode())
    return table


def _to_pandas(table):
    import pandas as pd

    frame = table.to_pandas(types_mapper={__import__("pyarrow").int64(): pd.Int64Dtype()}.get)
    for name in CATEGORY_COLUMNS:
        if name in frame.columns and not isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype("category")
    return frame


def _report_meta(report: LoadReport) -> dict[str, Any]:
    data = dict(report.__dict__)
    data["files"] = [f.__dict__ for f in report.files]
    return {"report": data}


def _report_from_meta(table, source: str, started: float) -> LoadReport:
    data = dict(_meta(table)["report"])
    data["files"] = tuple(FileRead(**f) for f in data["files"])
    data["unknown_fields"] = tuple(data["unknown_fields"])
    data.update(source=source, seconds=time.perf_counter() - started)
    return LoadReport(**data)


def _meta(table) -> dict[str, Any]:
    import orjson

    return orjson.loads(table.schema.metadata[b"herald"])


def _write_arrow_later(path: Path, table, meta: dict[str, Any]) -> None:
    """Write a cache file in a background thread, so the caller has its data first."""
    thread = threading.Thread(
        target=_write_arrow, args=(path, table, meta), name="metrics-cache", daemon=False
    )
    with _MEMORY_LOCK:
        _PENDING[str(path)] = thread
    thread.start()


def flush_cache_writes() -> None:
    """Wait for every background cache write to finish (tests, benchmarks, shutdown)."""
    with _MEMORY_LOCK:
        threads = list(_PENDING.values())
        _PENDING.clear()
    for thread in threads:
        thread.join()


def _wait_for_write(path: Path) -> None:
    with _MEMORY_LOCK:
        thread = _PENDING.pop(str(path), None)
    if thread is not None:
        thread.join()


def _write_arrow(path: Path, table, meta: dict[str, Any]) -> None:
    import orjson
    import pyarrow as pa

    tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        table = table.replace_schema_metadata({b"herald": orjson.dumps(meta)})
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        tmp.replace(path)
        if path.name.startswith("events-"):  # one combined cache is enough: drop older ones
            for old in path.parent.glob("events-*.arrow"):
                if old != path:
                    old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only or full disk only costs speed
        LOG.warning("could not write metrics cache %s: %s", path, exc)


def _read_arrow(path: Path):
    import pyarrow as pa

    with pa.memory_map(str(path), "r") as source:
        return pa.ipc.open_file(source).read_all()
