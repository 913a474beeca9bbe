"""The event frame's core columns and an empty table of them.

The lowest of the metrics modules: `utils.metrics` (reading and caching) and
`utils.metrics_parse` (parsing) both import it, and it imports neither.
"""

from __future__ import annotations

__all__ = ["CORE_COLUMNS", "empty_table"]

CORE_COLUMNS = ("ts", "step", "item_id", "provider", "latency_ms", "outcome")


def empty_table():
    """An Arrow table with the core columns and no rows (what no log at all reads as)."""
    import pyarrow as pa

    return pa.table(
        {
            "ts": pa.array([], pa.timestamp("us", tz="UTC")),
            "step": pa.array([], pa.string()),
            "item_id": pa.array([], pa.int64()),
            "provider": pa.array([], pa.string()),
            "latency_ms": pa.array([], pa.float64()),
            "outcome": pa.array([], pa.string()),
        }
    )
