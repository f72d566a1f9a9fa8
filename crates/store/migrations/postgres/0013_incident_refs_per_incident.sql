-- A tool's reference (kind, value) may be held by several incidents: whoever cannot see the
-- incident that holds it first behaves as if it did not exist, so an import of theirs can
-- give the reference to an incident of its own. Lookups take the visible holder with the
-- lowest number.
ALTER TABLE incident_refs DROP CONSTRAINT incident_refs_pkey;
ALTER TABLE incident_refs ADD PRIMARY KEY (kind, value, incident_id);
