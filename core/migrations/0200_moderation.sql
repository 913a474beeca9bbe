-- Moderation decisions and review actions. Rows are only ever inserted:
-- every decision and every reviewer action stays, with who, when and why.
CREATE TABLE moderations (
    id INTEGER PRIMARY KEY,
    item_id INTEGER REFERENCES items(id),
    version_id INTEGER REFERENCES versions(id),
    rating_id INTEGER REFERENCES ratings(id),
    subject TEXT NOT NULL DEFAULT 'post',      -- post | video_script | rating_comment | text
    level TEXT NOT NULL,                       -- approved | flagged | review_required | rejected
    scores_json TEXT NOT NULL DEFAULT '{}',
    reasons_json TEXT NOT NULL DEFAULT '[]',
    reason_codes TEXT NOT NULL DEFAULT '',     -- comma-separated categories, for filtering
    backends_json TEXT NOT NULL DEFAULT '[]',
    fallbacks_json TEXT NOT NULL DEFAULT '[]',
    notes_json TEXT NOT NULL DEFAULT '[]',
    actor TEXT NOT NULL DEFAULT 'system',
    created_at TEXT NOT NULL
);
CREATE INDEX moderations_item ON moderations(item_id);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    version_id INTEGER REFERENCES versions(id),
    new_version_id INTEGER REFERENCES versions(id),
    moderation_id INTEGER REFERENCES moderations(id),
    action TEXT NOT NULL,                      -- approve | edit_and_approve | reject | send_back
    reviewer TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX reviews_item ON reviews(item_id);
