"""Batches: sources (bad input per row), the schedule, one job per source, the export gate and the files."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date

import pytest

from core import cli
from core.batch import (
    MAX_ROWS,
    BatchInputError,
    ScheduleError,
    export_batch,
    parse_schedule,
    posting_times,
    read_sources,
)
from core.batch.run import BatchRow
from core.commands import batch as batch_cmd
from core.posts.pipeline import DEMO_SOURCES
from core.services import build_services
from core.store import ItemStatus
from tests.fakes import FakeEmbedder
from tests.seed import seed_item
from utils.export import BUFFER_COLUMNS, plain_post_text
from utils.settings import load_settings

LUMEN = DEMO_SOURCES["lumen"].path


@pytest.fixture(autouse=True)
def template_only(monkeypatch):
    monkeypatch.setenv("HERALD_PROVIDERS", "template")


@pytest.fixture
def services(monkeypatch):
    built = build_services(load_settings(), embedder=FakeEmbedder())
    monkeypatch.setattr(batch_cmd, "_services", lambda: built)
    return built


def _buffer_rows(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == BUFFER_COLUMNS
    assert all(any(cell.strip() for cell in row) for row in rows)  # no blank rows
    return rows[1:]


# --- schedule -----------------------------------------------------------------
def test_schedule_slots_keep_local_time_across_daylight_saving():
    schedule = parse_schedule("mon,wed,fri 09:00", "Europe/Berlin")
    slots = posting_times(schedule, date(2026, 10, 21), 4)  # Berlin leaves summer time on 25 Oct
    assert [s.strftime("%a %Y-%m-%d %H:%M") for s in slots] == [
        "Wed 2026-10-21 09:00",
        "Fri 2026-10-23 09:00",
        "Mon 2026-10-26 09:00",
        "Wed 2026-10-28 09:00",
    ]
    assert slots[0].utcoffset() != slots[2].utcoffset()


def test_schedule_ranges_and_several_times():
    schedule = parse_schedule("mon-fri 09:00,17:30")
    assert schedule.weekdays == (0, 1, 2, 3, 4)
    slots = posting_times(schedule, date(2026, 12, 4), 3)  # a Friday
    assert [s.strftime("%a %H:%M") for s in slots] == ["Fri 09:00", "Fri 17:30", "Mon 09:00"]


@pytest.mark.parametrize(
    ("text", "tz", "match"),
    [
        ("mon 25:00", "UTC", "HH:MM"),
        ("someday 09:00", "UTC", "Day"),
        ("mon", "UTC", "days then times"),
        ("mon 09:00", "Mars/Olympus", "time zone"),
    ],
)
def test_bad_schedules_name_the_fix(text, tz, match):
    with pytest.raises(ScheduleError, match=match):
        parse_schedule(text, tz)


# --- sources ------------------------------------------------------------------
def test_missing_path_duplicate_and_bad_style_are_refused_per_row(tmp_path):
    project = tmp_path / "proj"
    shutil.copytree(LUMEN, project)
    listing = tmp_path / "sources.csv"
    listing.write_text(
        "source,style,tone,topic\n"
        "proj,tutorial,friendly,search\n"
        "no/such/folder,,,\n"
        f"{project},,,\n"
        "proj2,poem,,\n"
        "https://example.invalid/a/b.git,,,\n",
        encoding="utf-8",
    )
    (tmp_path / "proj2").mkdir()
    rows = read_sources(listing).rows
    assert [r.error.split(":")[0].split(" of")[0] for r in rows] == [
        "",
        "no such folder",
        "duplicate",
        "unknown style 'poem'",
        "",
    ]
    assert rows[0].style == "tutorial" and rows[0].tone == "friendly" and rows[0].topic == "search"
    assert "row 2" in rows[2].error  # the first occurrence's CSV line


def test_a_thousand_rows_are_capped_with_a_message(tmp_path):
    listing = tmp_path / "many.txt"
    listing.write_text("\n".join(f"https://example.invalid/r{i}.git" for i in range(1000)), encoding="utf-8")
    result = read_sources(listing)
    assert len(result.rows) == MAX_ROWS
    assert "1,000 rows" in result.messages[0] and f"first {MAX_ROWS}" in result.messages[0]


def test_unreadable_input_is_one_clear_error(tmp_path):
    with pytest.raises(BatchInputError, match="No sources file"):
        read_sources(tmp_path / "absent.csv")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match="No sources given"):
        read_sources(empty)


# --- the whole batch through the CLI -----------------------------------------------
def test_batch_cli_runs_each_source_as_its_own_job(tmp_path, capsys, services):
    project = tmp_path / "proj"
    shutil.copytree(LUMEN, project)
    listing = tmp_path / "sources.txt"
    listing.write_text(
        "# a team's month\nproj\ndemo:lumen\nmissing-folder\nproj\nhttp://127.0.0.1:9/nobody/nothing.git\n",
        encoding="utf-8",
    )
    buffer_csv, plain_csv = tmp_path / "out" / "buffer.csv", tmp_path / "out" / "plan.csv"
    code = cli.main(
        [
            "batch",
            "--sources",
            str(listing),
            "--schedule",
            "mon,wed,fri 09:00",
            "--start",
            "2026-12-07",
            "--tz",
            "Europe/Berlin",
            "--buffer-csv",
            str(buffer_csv),
            "--csv",
            str(plain_csv),
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"backend", "rows"} and data["backend"] == "inprocess"
    rows = data["rows"]
    assert all(set(r) == {"source", "item_id", "status", "error", "job_id", "posting_time"} for r in rows)
    assert [r["status"] for r in rows] == ["done", "done", "refused", "refused", "failed"]
    assert [r["posting_time"] for r in rows] == ["2026-12-07 09:00", "2026-12-09 09:00", "", "", ""]
    assert len({r["job_id"] for r in rows if r["job_id"]}) == 3  # one job per submitted source
    assert "no such folder" in rows[2]["error"] and "duplicate of row 2" in rows[3]["error"]
    assert rows[4]["error"] and rows[4]["item_id"] is None
    buffer = _buffer_rows(buffer_csv.read_text(encoding="utf-8"))
    assert [b[3] for b in buffer] == ["2026-12-07 09:00", "2026-12-09 09:00"]
    stored = services.store.latest_version(rows[0]["item_id"]).text
    assert buffer[0][0].startswith(plain_post_text(stored).split("\n")[0])
    plain = list(csv.DictReader(io.StringIO(plain_csv.read_text(encoding="utf-8"))))
    assert [p["status"] for p in plain] == ["done", "done", "refused", "refused", "failed"]
    assert plain[0]["engagement"] and plain[2]["reason"].startswith("no such folder")


# --- the export gate and Buffer's 100-row files -----------------------------------
def _stored(services, n: int) -> list[BatchRow]:
    rows = []
    for i in range(n):
        item, _ = seed_item(services, f"Post number {i}\n\nBody {i}. #python", title=f"p{i}", status="ready")
        rows.append(BatchRow(f"src{i}", "done", item_id=item.id, job_id=f"j{i}"))
    return rows


def test_only_posts_that_pass_the_gate_are_scheduled(services):
    rows = _stored(services, 4)
    store = services.store
    store.set_status(rows[1].item_id, ItemStatus.REJECTED, reason="off-brand", actor="reviewer")
    store.set_status(rows[2].item_id, ItemStatus.REVIEW_REQUIRED, reason="moderation", actor="moderation")
    store.set_status(rows[3].item_id, ItemStatus.FLAGGED, reason="moderation", actor="moderation")
    rows.append(BatchRow("bad", "failed", error="could not clone"))
    result = export_batch(services, rows, parse_schedule("daily 10:00"), date(2027, 1, 1))
    assert [r.status for r in result.rows] == ["done", "held", "held", "done", "failed"]
    assert "rejected" in result.rows[1].error and "waits for review" in result.rows[2].error
    assert all(r.posting_time == "" for r in result.rows if r.status != "done")
    assert [r.posting_time for r in result.rows if r.status == "done"] == [
        "2027-01-01 10:00",
        "2027-01-02 10:00",
    ]
    assert "flagged" in result.rows[3].warning  # exported, with the gate's warning
    assert [r.source for r in result.excluded] == ["src1", "src2", "bad"]
    ((name, text),) = result.buffer_files
    assert name.endswith("-buffer.csv") and len(_buffer_rows(text)) == 2
    plain = list(csv.DictReader(io.StringIO(result.plain_csv)))
    assert "flagged" in plain[3]["reason"] and plain[4]["reason"] == "could not clone"


def test_more_than_100_posts_make_several_buffer_files(services):
    rows = _stored(services, 205)
    result = export_batch(services, rows, parse_schedule("daily 08:00,12:00,16:00"), date(2027, 1, 1))
    sizes = [len(_buffer_rows(text)) for _, text in result.buffer_files]
    assert sizes == [100, 100, 5]
    assert [n for n, _ in result.buffer_files] == [f"herald-batch-buffer-{i}.csv" for i in (1, 2, 3)]
    times = [b[3] for _, text in result.buffer_files for b in _buffer_rows(text)]
    assert len(set(times)) == 205 and times == sorted(times)
