-- The gate (core/gate.py): who made each version.
ALTER TABLE versions ADD COLUMN actor TEXT NOT NULL DEFAULT ''
