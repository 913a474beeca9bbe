-- Base tables: sources, items, versions, ratings.
-- Versions are appended, never rewritten; items carry the current status.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,              -- local | url | upload | demo
    location TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    doc_count INTEGER NOT NULL DEFAULT 0,
    skipped_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
);
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    source_id INTEGER REFERENCES sources(id),
    kind TEXT NOT NULL DEFAULT 'post', -- post | video
    title TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    data_json TEXT NOT NULL DEFAULT '{}',
    origin TEXT NOT NULL DEFAULT 'generated',
    parent_id INTEGER REFERENCES versions(id),
    provider TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'active', -- active | pending | dismissed
    created_at TEXT NOT NULL,
    UNIQUE (item_id, number)
);
CREATE INDEX versions_item ON versions(item_id);
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    version_id INTEGER REFERENCES versions(id),
    user TEXT NOT NULL DEFAULT 'anonymous',
    stars INTEGER,
    liked INTEGER,                   -- 1 like, -1 dislike, NULL none
    comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX ratings_item ON ratings(item_id);
CREATE TABLE status_changes (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL DEFAULT 'system',
    created_at TEXT NOT NULL
);
