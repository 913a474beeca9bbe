-- Background jobs (core/jobs.py) and the video files renders registered (core/video_service.py).
-- A video row is written only after its MP4 was moved into place.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued', -- queued | running | done | failed | cancelled
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    payload_json TEXT NOT NULL DEFAULT '{}',
    result_json TEXT,
    error TEXT NOT NULL DEFAULT '',
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    owner TEXT NOT NULL DEFAULT '',  -- host:pid of the process running it
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX jobs_state ON jobs(state);
CREATE TABLE videos (
    id INTEGER PRIMARY KEY,
    item_id INTEGER REFERENCES items(id),
    version_id INTEGER REFERENCES versions(id),
    job_id TEXT,
    mp4 TEXT NOT NULL,
    srt TEXT NOT NULL,
    thumbnail TEXT NOT NULL,
    duration_s REAL NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    aspect TEXT NOT NULL,
    render_s REAL NOT NULL,
    notes_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE INDEX videos_item ON videos(item_id);
