"""Save and load a guard report for one version (tables from migrations/0100_guard.sql).

A report is appended, never updated: checking a version again adds a new
report, and `load_guard_report` returns the newest. It does not run the guard.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from chains.guard import Claim, Evidence, GuardReport, Stage
from core.errors import NotFoundError
from core.store import Store
from utils.events import utc_now_iso

__all__ = ["save_guard_report", "load_guard_report", "guard_report_for", "claim_rows"]


def save_guard_report(
    store: Store, version_id: int, report: GuardReport, *, revised_version_id: int | None = None
) -> int:
    """Store a report and its claims for a version; returns the report id."""
    version = store.get_version(version_id)
    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO guard_reports(version_id, item_id, confidence, unsupported_share, revised_version_id,"
            " revised_text, draft_text, dropped_json, notes_json, stages_json, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                version_id,
                version.item_id,
                report.confidence,
                report.unsupported_share,
                revised_version_id,
                report.revised_text,
                report.draft_text,
                json.dumps(list(report.dropped)),
                json.dumps(list(report.notes)),
                json.dumps([asdict(s) for s in report.stages]),
                utc_now_iso(),
            ),
        )
        report_id = int(cur.lastrowid or 0)
        conn.executemany(
            "INSERT INTO claims(report_id, version_id, position, text, start_char, end_char, checkable, verdict,"
            " score, reason, revised_text, stage, evidence_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    report_id,
                    version_id,
                    i,
                    c.text,
                    c.start,
                    c.end,
                    int(c.checkable),
                    c.verdict,
                    c.score,
                    c.reason,
                    c.revised_text,
                    c.stage,
                    json.dumps([asdict(e) for e in c.evidence], ensure_ascii=False),
                )
                for i, c in enumerate(report.claims)
            ],
        )
    return report_id


def load_guard_report(store: Store, version_id: int) -> GuardReport:
    """The newest report of a version; raises NotFoundError when it was never checked."""
    rows = store.query(
        "SELECT * FROM guard_reports WHERE version_id = ? ORDER BY id DESC LIMIT 1", (version_id,)
    )
    if not rows:
        raise NotFoundError(
            f"Version {version_id} has no guard report; run `python -m core guard` or regenerate it"
        )
    head = rows[0]
    claims = tuple(
        Claim(
            text=r["text"],
            start=r["start_char"],
            end=r["end_char"],
            checkable=bool(r["checkable"]),
            verdict=r["verdict"],
            score=r["score"],
            evidence=tuple(Evidence(**e) for e in json.loads(r["evidence_json"])),
            reason=r["reason"],
            revised_text=r["revised_text"],
            stage=r["stage"],
        )
        for r in claim_rows(store, head["id"])
    )
    return GuardReport(
        claims=claims,
        confidence=head["confidence"],
        revised_text=head["revised_text"],
        dropped=tuple(json.loads(head["dropped_json"])),
        notes=tuple(json.loads(head["notes_json"])),
        stages=tuple(Stage(**s) for s in json.loads(head["stages_json"])),
        draft_text=head["draft_text"],
    )


def claim_rows(store: Store, report_id: int) -> list[dict]:
    """The claim rows of one report, in draft order."""
    return store.query("SELECT * FROM claims WHERE report_id = ? ORDER BY position", (report_id,))


def guard_report_for(store: Store, version_id: int) -> GuardReport | None:
    """The newest report that checked this version or produced it as a revision, else None."""
    rows = store.query(
        "SELECT version_id FROM guard_reports WHERE version_id = ? OR revised_version_id = ? ORDER BY id DESC LIMIT 1",
        (version_id, version_id),
    )
    return load_guard_report(store, rows[0]["version_id"]) if rows else None
