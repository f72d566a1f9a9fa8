-- Similar past incidents: which incidents saw the same alert (the fingerprint an importer
-- kept in an event's correlation) and which post-mortems put the root cause in the same
-- component, each found through an index rather than by reading every event or document.
-- Only events with a fingerprint are in the first.
CREATE INDEX timeline_events_fingerprint ON timeline_events (json_extract(correlation, '$.c.fingerprint'), incident_id)
    WHERE json_extract(correlation, '$.c.fingerprint') IS NOT NULL;
CREATE INDEX postmortems_component ON postmortems (lower(json_extract(sections, '$.root_cause.component')));
-- How many incidents each word of the full-text index is in: a search for similar
-- incidents leaves out the words too common to tell incidents apart.
CREATE VIRTUAL TABLE incidents_search_terms USING fts5vocab(incidents_search, row);
