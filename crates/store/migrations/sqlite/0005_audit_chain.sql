-- Tamper-evident record: every history row carries the SHA-256 (hex) of its fields and
-- of the row before it in the same incident's or post-mortem's history. Rows written
-- before this migration are sealed by the store at start-up (SQLite has no SHA-256).
ALTER TABLE incident_history ADD COLUMN prev_hash TEXT;
ALTER TABLE incident_history ADD COLUMN hash TEXT;
ALTER TABLE postmortem_history ADD COLUMN prev_hash TEXT;
ALTER TABLE postmortem_history ADD COLUMN hash TEXT;

-- Account and settings changes made by admins, in one chain ordered by id (1, 2, …).
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT,
    hash TEXT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('audit_event', 0);
