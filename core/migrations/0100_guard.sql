-- Hallucination guard: one report per checked version, one row per claim.
CREATE TABLE guard_reports (
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL REFERENCES versions(id),
    item_id INTEGER NOT NULL REFERENCES items(id),
    confidence REAL NOT NULL,
    unsupported_share REAL NOT NULL DEFAULT 0,
    revised_version_id INTEGER REFERENCES versions(id),
    revised_text TEXT NOT NULL DEFAULT '',
    draft_text TEXT NOT NULL DEFAULT '',
    dropped_json TEXT NOT NULL DEFAULT '[]',
    notes_json TEXT NOT NULL DEFAULT '[]',
    stages_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX guard_reports_version ON guard_reports(version_id);
CREATE TABLE claims (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES guard_reports(id),
    version_id INTEGER NOT NULL REFERENCES versions(id),
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    checkable INTEGER NOT NULL,
    verdict TEXT NOT NULL,            -- supported | unsupported | not_checkable
    score REAL NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    revised_text TEXT,                -- NULL kept, '' dropped, else the rewrite
    stage TEXT NOT NULL DEFAULT '',
    evidence_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX claims_version ON claims(version_id);
CREATE INDEX claims_verdict ON claims(verdict)
