"""Parse a byte range of a JSONL event file into a normalised Arrow table.

The fast path hands a whole chunk to pyarrow's JSON reader. A chunk holding a
line that is not a JSON object falls back to orjson line by line: bad lines are
counted and dropped, the good ones go back through pyarrow (and, if their types
still clash, through a plain Python normaliser). Every output table has the
same small set of types: `ts` as UTC timestamp, `item_id` int64, strings, and
float64 for every number, flag and list length; `scores` become `score_*`.
Reading files and caching is `utils.metrics`'s job.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from utils.metrics_schema import empty_table

__all__ = ["parse_range", "parse_chunk", "unify_tables", "fill_item_ids"]

LOG = logging.getLogger(__name__)
_STRING_CORE = ("step", "provider", "outcome")
NUMERIC_FIELDS = frozenset(
    {"latency_ms", "confidence", "quality", "stars", "tokens_in", "tokens_out", "reward", "render_s"}
    | {"duration_s", "fallback", "unsupported_share", "liked", "attempts"}
)


def parse_range(path: Path, start: int, end: int, chunk_bytes: int) -> tuple[Any, int, int, int]:
    """Parse bytes [start, end) of `path` in chunks; return (table, lines, malformed, missing_required).

    A range that starts mid-file skips the partial first line.
    """
    tables, lines, malformed, missing = [], 0, 0, 0
    hint: list[Any] = [None]  # the previous chunk's schema: parsing with known types is ~35% cheaper
    with open(path, "rb") as fh:
        fh.seek(start)
        if start > 0:
            fh.readline()  # the budget cut a line in half: start at the next whole one
        position = fh.tell()
        carry = b""
        while position < end:
            block = fh.read(min(chunk_bytes, end - position))
            if not block:
                break
            position += len(block)
            block = carry + block
            cut = block.rfind(b"\n") + 1 if position < end else len(block)
            carry, block = block[cut:], block[:cut]
            if not block:
                continue
            table, n, bad, miss = parse_chunk(block, hint)
            lines, malformed, missing = lines + n, malformed + bad, missing + miss
            if table is not None and table.num_rows:
                tables.append(table)
        if carry.strip(b" \t\r\n"):
            table, n, bad, miss = parse_chunk(carry, hint)
            lines, malformed, missing = lines + n, malformed + bad, missing + miss
            if table is not None and table.num_rows:
                tables.append(table)
    return unify_tables(tables), lines, malformed, missing


def parse_chunk(block: bytes, hint: list[Any] | None = None) -> tuple[Any, int, int, int]:
    """Parse whole JSONL lines; return (normalised table or None, lines, malformed, missing_required).

    `hint` is a one-element list holding a schema to try first (updated after a clean parse).
    """
    import pyarrow as pa

    errors = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError)
    malformed = 0
    raw = None
    if hint is not None and hint[0] is not None:
        try:
            raw = _arrow_read(block, hint[0])
        except errors:
            hint[0] = None  # the types changed: learn them again from this chunk
    try:
        if raw is None:
            raw = _arrow_read(block)
            if hint is not None:
                hint[0] = _hint_schema(raw.schema)
        n_lines = raw.num_rows
    except errors:
        good, malformed = _valid_lines(block)
        n_lines = len(good) + malformed
        if not good:
            return None, n_lines, malformed, 0
        try:
            raw = _arrow_read(b"\n".join(good) + b"\n")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            raw = _python_table(good)
    table, missing = _normalise(raw)
    return table, n_lines, malformed, missing


def _hint_schema(schema):
    """A parsed chunk's schema as the explicit schema for the next one (ts read straight as time)."""
    import pyarrow as pa

    fields = []
    for f in schema:
        if pa.types.is_null(f.type):
            continue  # all-null so far: let the reader infer it when values appear
        if f.name == "ts":
            f = pa.field("ts", pa.timestamp("us", tz="UTC"))
        fields.append(f)
    return pa.schema(fields)


def _arrow_read(block: bytes, schema=None):
    import io

    import pyarrow as pa
    import pyarrow.json as pj

    schema = schema or pa.schema(
        [
            ("ts", pa.string()),
            ("step", pa.string()),
            ("provider", pa.string()),
            ("outcome", pa.string()),
            ("latency_ms", pa.float64()),
        ]
    )
    return pj.read_json(
        io.BytesIO(block),
        read_options=pj.ReadOptions(block_size=1 << 20, use_threads=True),
        parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer"),
    )


def _valid_lines(block: bytes) -> tuple[list[bytes], int]:
    import orjson

    good, bad = [], 0
    for line in block.split(b"\n"):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            bad += 1
            continue
        if isinstance(obj, dict):
            good.append(line)
        else:
            bad += 1
    return good, bad


def _python_table(lines: list[bytes]):
    """Last resort when field types clash between lines: coerce value by value."""
    import orjson
    import pyarrow as pa

    records = [orjson.loads(line) for line in lines]
    names: dict[str, None] = {}
    for rec in records:
        names.update(dict.fromkeys(rec))
    columns: dict[str, Any] = {}
    for name in names:
        values = [rec.get(name) for rec in records]
        if name == "scores":
            keys: dict[str, None] = {}
            for v in values:
                if isinstance(v, dict):
                    keys.update(dict.fromkeys(v))
            for k in keys:
                columns[f"score_{k}"] = pa.array(
                    [_num(v.get(k)) if isinstance(v, dict) else None for v in values], pa.float64()
                )
            continue
        if name == "item_id":
            columns[name] = pa.array([_int(v) for v in values], pa.int64())
        elif name in NUMERIC_FIELDS:
            columns[name] = pa.array(
                [len(v) if isinstance(v, list) else _num(v) for v in values], pa.float64()
            )
        elif name in ("ts", *_STRING_CORE) or any(isinstance(v, str) for v in values):
            columns[name] = pa.array([None if v is None else str(v) for v in values], pa.string())
        elif name == "item_id":
            columns[name] = pa.array([_int(v) for v in values], pa.int64())
        elif any(isinstance(v, list) for v in values):
            columns[name] = pa.array(
                [len(v) if isinstance(v, list) else _num(v) for v in values], pa.float64()
            )
        elif all(v is None or isinstance(v, (int, float, bool)) for v in values):
            columns[name] = pa.array([_num(v) for v in values], pa.float64())
    return pa.table(columns)


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


def _int(v: Any) -> int | None:
    f = _num(v)
    return int(f) if f is not None and f == f and abs(f) < 2**62 else None


def _normalise(raw) -> tuple[Any, int]:
    """Cast a raw parsed table to the canonical types; drop rows without ts or step."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols: dict[str, Any] = {}
    for name in raw.column_names:
        col = raw[name]
        typ = col.type
        if name == "ts":
            cols["ts"] = _timestamps(col)
        elif name == "item_id":
            cols["item_id"] = _to_int(col)
        elif name in _STRING_CORE:
            cols[name] = col if pa.types.is_string(typ) else _to_string(col)
        elif name == "scores" and pa.types.is_struct(typ):
            _flatten_struct(col, "score_", cols)
        elif name in NUMERIC_FIELDS and not _is_numberish(typ) and not pa.types.is_list(typ):
            cols[name] = pa.array([_num(v) for v in col.to_pylist()], pa.float64())
        elif name.startswith("score_"):
            if _is_numberish(typ):
                cols[name] = col.cast(pa.float64())
        elif _is_numberish(typ):
            cols[name] = col.cast(pa.float64())
        elif pa.types.is_string(typ) or pa.types.is_large_string(typ):
            cols[name] = col.cast(pa.string())
        elif pa.types.is_timestamp(typ):
            cols[name] = col.cast(pa.string())
        elif pa.types.is_list(typ) or pa.types.is_large_list(typ):
            cols[name] = pc.list_value_length(col).cast(pa.float64())
        elif pa.types.is_struct(typ):
            _flatten_struct(col, f"{name}_", cols)
    for name, typ in (("ts", pa.timestamp("us", tz="UTC")), ("step", pa.string()), ("item_id", pa.int64())):
        if name not in cols:
            cols[name] = pa.nulls(raw.num_rows, typ)
    for name in ("provider", "outcome"):
        if name not in cols:
            cols[name] = pa.nulls(raw.num_rows, pa.string())
    if "latency_ms" not in cols:
        cols["latency_ms"] = pa.nulls(raw.num_rows, pa.float64())
    table = pa.table(cols)
    if table["ts"].null_count == 0 and table["step"].null_count == 0:
        if not pc.any(pc.equal(table["step"], "")).as_py():
            return table, 0  # the common case: nothing to drop, no copy
    keep = pc.and_(pc.is_valid(table["ts"]), pc.invert(pc.equal(pc.fill_null(table["step"], ""), "")))
    kept = table.filter(keep)
    return kept, table.num_rows - kept.num_rows


def _is_numberish(typ) -> bool:
    import pyarrow as pa

    return pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_boolean(typ)


def _flatten_struct(col, prefix: str, out: dict[str, Any]) -> None:
    import pyarrow as pa

    col = col.combine_chunks() if hasattr(col, "combine_chunks") else col
    for i in range(col.type.num_fields):
        child = col.type.field(i)
        if _is_numberish(child.type):
            out[f"{prefix}{child.name}"] = col.field(i).cast(pa.float64())


def _timestamps(col):
    import pyarrow as pa

    target = pa.timestamp("us", tz="UTC")
    if pa.types.is_timestamp(col.type):
        return col.cast(target)
    try:
        return col.cast(pa.string()).cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        import pandas as pd

        values = pd.to_datetime(col.to_pandas(), utc=True, errors="coerce", format="ISO8601")
        return pa.array(values, type=target, from_pandas=True)


def _to_int(col):
    import pyarrow as pa

    if pa.types.is_integer(col.type):
        return col.cast(pa.int64())
    return pa.array([_int(v) for v in col.to_pylist()], pa.int64())


def _to_string(col):
    import pyarrow as pa

    try:
        return col.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pa.array([None if v is None else str(v) for v in col.to_pylist()], pa.string())


def unify_tables(tables: list[Any]):
    """Concatenate normalised tables, turning a column that is text in one and numbers in another into text."""
    import pyarrow as pa

    if not tables:
        return empty_table()
    if len(tables) == 1:
        return tables[0]
    kinds: dict[str, set[str]] = {}
    for t in tables:
        for field in t.schema:
            kinds.setdefault(field.name, set()).add(str(field.type))
    clash = {n for n, k in kinds.items() if len(k) > 1 and n != "ts"}
    if clash:
        fixed = []
        for t in tables:
            for n in clash & set(t.column_names):
                t = t.set_column(t.column_names.index(n), n, _to_string(t[n]))
            fixed.append(t)
        tables = fixed
    return pa.concat_tables(tables, promote_options="permissive")


def fill_item_ids(table):
    """Give a pipeline run's early events (logged before the item existed) the item id of that run."""
    import pyarrow as pa

    names = table.column_names
    if "run_id" not in names or table.num_rows == 0 or table["item_id"].null_count == 0:
        return table
    cols = ["run_id", "item_id"] + (["item_id_created"] if "item_id_created" in names else [])
    small = table.select(cols).to_pandas()
    ids = small["item_id"].astype("Float64")
    if "item_id_created" in small.columns:
        ids = ids.fillna(_numeric(small["item_id_created"]))
    known = ids[small["run_id"].notna() & ids.notna()]
    if known.empty:
        return table
    by_run = known.groupby(small.loc[known.index, "run_id"]).first()
    filled = ids.fillna(small["run_id"].map(by_run))
    values = pa.array(filled.round().astype("Int64"), type=pa.int64(), from_pandas=True)
    return table.set_column(names.index("item_id"), "item_id", values)


def _numeric(series):
    """Numbers of a column that may hold text; NaN where it does not parse."""
    import pandas as pd

    return pd.to_numeric(series, errors="coerce").astype("Float64")
