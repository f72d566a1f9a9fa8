-- Events an import's duplicate rule found to be one with an earlier event (the same alert
-- from two tools, a repeated notification) are set aside here instead of being deleted, so
-- that a later import can bring one back when the rule's verdict changes: with three copies
-- of one alert minutes apart, the middle one hides the third only until an earlier first
-- copy arrives. The timeline then does not depend on the order of imports, and nothing an
-- import stored is ever lost. Same columns as `timeline_events` (an event set aside was
-- never edited by a person).
CREATE TABLE timeline_duplicates (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    occurred_at TIMESTAMPTZ NOT NULL,
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    text TEXT NOT NULL,
    key_moment TEXT,
    raw_payload TEXT,
    correlation TEXT,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL,
    set_aside_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX timeline_duplicates_external ON timeline_duplicates (incident_id, source, external_id);
CREATE INDEX timeline_duplicates_order ON timeline_duplicates (incident_id, occurred_at, source, external_id);
