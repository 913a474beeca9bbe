"""Batches and a posting schedule: many sources, one job each, one calendar and one export.

Public surface:
- `read_sources(path_or_text, ...)` -> `SourceList` (sources.py): paths, URLs or a CSV
  (`source,style,tone,topic`), capped at `MAX_ROWS`, duplicates and missing paths refused per row.
- `parse_schedule`, `posting_times` (schedule.py): "mon,wed,fri 09:00" in a time zone.
- `submit_batch`, `collect_batch`, `run_batch` (run.py): one job per source on the
  configured queue (`core.jobs`), failures per row, never stopping the others.
- `export_batch` (export.py): Buffer CSV files (<= 100 rows each) and one plain CSV with
  only the posts that pass the export gate; the rest listed with the reason.
- `run_batch_job` (jobs.py): the `batch` job kind's handler (one source -> one post).
Errors: `core.batch.errors`.
"""

from core.batch.errors import BatchInputError, ScheduleError
from core.batch.export import BatchExport, export_batch
from core.batch.run import Batch, BatchRow, collect_batch, run_batch, submit_batch
from core.batch.schedule import Schedule, parse_schedule, posting_times
from core.batch.sources import MAX_ROWS, SourceList, SourceSpec, parse_sources, read_sources

__all__ = [
    "MAX_ROWS",
    "SourceSpec",
    "SourceList",
    "read_sources",
    "parse_sources",
    "Schedule",
    "parse_schedule",
    "posting_times",
    "Batch",
    "BatchRow",
    "submit_batch",
    "collect_batch",
    "run_batch",
    "BatchExport",
    "export_batch",
    "BatchInputError",
    "ScheduleError",
]
