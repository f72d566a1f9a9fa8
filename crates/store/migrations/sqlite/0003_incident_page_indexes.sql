-- What the incident page reads from a long timeline without visiting every row:
-- the event-volume chart and the counts by kind read (incident, time, source, kind)
-- from the index alone; the first time each key moment is marked reads only the
-- few marked events.
CREATE INDEX timeline_events_volume ON timeline_events (incident_id, occurred_at, source, kind);
CREATE INDEX timeline_events_key_moments ON timeline_events (incident_id, key_moment, occurred_at)
    WHERE key_moment IS NOT NULL;
