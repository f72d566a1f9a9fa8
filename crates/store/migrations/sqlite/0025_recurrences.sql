-- Recurrences: an incident confirmed by a person to be the same failure come back as an
-- earlier one. Each incident recurs at most one earlier incident, so that recurrences read
-- as chains; each link is kept in the audit log with who confirmed it.
CREATE TABLE incident_recurrences (
    incident_id TEXT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    recurs_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    confirmed_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    confirmed_at TEXT NOT NULL
);
CREATE INDEX incident_recurrences_of ON incident_recurrences (recurs_id);
