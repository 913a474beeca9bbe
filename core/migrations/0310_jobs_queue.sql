-- The job queue's second half (core/jobs/): which backend runs a job, how many times it was tried,
-- and the running worker's heartbeat (epoch seconds), so a worker killed mid-job is noticed.
ALTER TABLE jobs ADD COLUMN backend TEXT NOT NULL DEFAULT 'inprocess';
ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN heartbeat_at REAL;
ALTER TABLE jobs ADD COLUMN submitted_ts REAL;
ALTER TABLE jobs ADD COLUMN started_ts REAL;
CREATE INDEX jobs_backend_state ON jobs(backend, state);
