"""Exporting a batch: the export gate per post, posting times, Buffer CSV files and one plain CSV.

Only posts that pass the export gate are scheduled and exported; every other
row keeps its reason (`held` with the gate's refusal, or its job's failure).
Buffer files follow Buffer's bulk-upload format exactly (`utils.export`:
`Text,Image URL,Tags,Posting Time`, times `YYYY-MM-DD HH:mm`), at most
`BUFFER_MAX_ROWS` posts per file: more posts -> more files, never blank rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from core.batch.run import BatchRow
from core.batch.schedule import Schedule, posting_times
from core.errors import HeraldError
from core.posts.export import export_record
from utils.export import ExportRecord, format_posting_time, neutralise_cell, to_buffer_csv

__all__ = ["BatchExport", "export_batch", "gate_reason", "BUFFER_MAX_ROWS", "PLAIN_COLUMNS"]

BUFFER_MAX_ROWS = 100
PLAIN_COLUMNS = (
    "posting_time",
    "source",
    "status",
    "item_id",
    "version_id",
    "title",
    "engagement",
    "engagement_band",
    "reason",
    "text",
)


@dataclass(frozen=True)
class BatchExport:
    """The batch's rows with posting times, its Buffer files (name, text) and its plain CSV."""

    rows: tuple[BatchRow, ...]
    buffer_files: tuple[tuple[str, str], ...]
    plain_csv: str

    @property
    def excluded(self) -> tuple[BatchRow, ...]:
        """Rows left out of the export, each with its reason."""
        return tuple(r for r in self.rows if r.status != "done")


def gate_reason(services: Any, item_id: int) -> str:
    """'' when the post may be exported, else why not (`core.gate.export_permit`'s own words)."""
    from core.gate import export_permit

    try:
        export_permit(services.store, item_id)
    except HeraldError as exc:
        return str(exc)
    return ""


def export_batch(
    services: Any, rows: list[BatchRow], schedule: Schedule, start: date, *, stem: str = "herald-batch"
) -> BatchExport:
    """Gate every written post, give the passing ones the next posting times, and build the files."""
    from core.engagement import estimate_for_store

    settings = services.settings
    gated: list[BatchRow] = []
    records: dict[int, ExportRecord] = {}
    for row in rows:
        if row.status != "done" or row.item_id is None:
            error = row.error or {"queued": "still queued", "running": "still running"}.get(row.status, "")
            gated.append(replace(row, error=error))
            continue
        try:
            record, warning = export_record(services, row.item_id)
        except HeraldError as exc:  # the export gate refused it: held, with the gate's reason
            gated.append(replace(row, status="held", error=str(exc)))
            continue
        records[row.item_id] = record
        est = estimate_for_store(services.store, record.text, fold_chars=settings.fold_chars)
        gated.append(
            replace(
                row,
                title=record.title,
                warning=warning,
                engagement=f"{est.stars:.1f} ({est.band}, {est.source})",
            )
        )
    passing = [r for r in gated if r.status == "done"]
    slots = posting_times(schedule, start, len(passing))
    timed = {id(r): format_posting_time(t) for r, t in zip(passing, slots, strict=True)}
    final = tuple(replace(r, posting_time=timed.get(id(r), "")) for r in gated)
    scheduled = [
        replace(records[r.item_id], posting_time=r.posting_time)
        for r in final
        if r.status == "done" and r.item_id
    ]
    files = []
    for n, i in enumerate(range(0, len(scheduled), BUFFER_MAX_ROWS), 1):
        chunk = scheduled[i : i + BUFFER_MAX_ROWS]
        name = f"{stem}-buffer.csv" if len(scheduled) <= BUFFER_MAX_ROWS else f"{stem}-buffer-{n}.csv"
        files.append((name, to_buffer_csv(chunk)))
    return BatchExport(final, tuple(files), _plain_csv(final, records))


def _plain_csv(rows: tuple[BatchRow, ...], records: dict[int, ExportRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(PLAIN_COLUMNS)
    for r in rows:
        rec = records.get(r.item_id or -1) if r.status == "done" else None
        stars, _, band = r.engagement.partition(" (")
        writer.writerow(
            [
                neutralise_cell(v)
                for v in (
                    r.posting_time,
                    r.source,
                    r.status,
                    r.item_id or "",
                    rec.version_id if rec else "",
                    r.title,
                    stars,
                    band.split(",")[0],
                    r.error or r.warning,
                    rec.text if rec else "",
                )
            ]
        )
    return out.getvalue()
