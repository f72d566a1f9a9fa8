-- A tool's reference (kind, value) may be held by several incidents: whoever cannot see the
-- incident that holds it first behaves as if it did not exist, so an import of theirs can
-- give the reference to an incident of its own. Lookups take the visible holder with the
-- lowest number.
CREATE TABLE incident_refs_new (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, value, incident_id)
);
INSERT INTO incident_refs_new (kind, value, incident_id) SELECT kind, value, incident_id FROM incident_refs;
DROP TABLE incident_refs;
ALTER TABLE incident_refs_new RENAME TO incident_refs;
CREATE INDEX incident_refs_by_incident ON incident_refs (incident_id);
