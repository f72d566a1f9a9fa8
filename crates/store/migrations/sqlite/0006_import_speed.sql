-- Imports write less and read back less.
--
-- `correlation` keeps, beside an imported event, what ties it to other events (alert
-- fingerprint, the tool's incident id, channel, service) and the key moment its importer
-- suggested, as short JSON; the duplicate check after an import reads it instead of parsing
-- every raw payload again. NULL for events typed by hand and for those stored before it
-- was kept (their payload is read instead).
ALTER TABLE timeline_events ADD COLUMN correlation TEXT;

-- One index for timeline order and for the volume chart and counts by kind, instead of two
-- that shared their first three columns: one B-tree fewer to update per imported event.
DROP INDEX timeline_events_by_incident;
DROP INDEX timeline_events_volume;
CREATE INDEX timeline_events_order ON timeline_events (incident_id, occurred_at, source, external_id, kind);
