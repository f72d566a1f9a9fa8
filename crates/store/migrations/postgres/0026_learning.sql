-- Learning across incidents. When each action item was last closed (done or won't do),
-- so that whether a fix held can be read from when its cause came back; items closed
-- before this column take their last change as that moment.
ALTER TABLE action_items ADD COLUMN closed_at TIMESTAMPTZ;
UPDATE action_items SET closed_at = updated_at WHERE status IN ('done', 'wont_do');
-- Unknown causes found: an incident whose root cause stayed unknown or suspected leaves the
-- ledger of open causes when a person records what was found (and, if it was, in which
-- later incident).
CREATE TABLE unknown_cause_findings (
    incident_id TEXT PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    found TEXT NOT NULL,
    found_in_id TEXT REFERENCES incidents (id) ON DELETE SET NULL,
    closed_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    closed_at TIMESTAMPTZ NOT NULL
);
-- The ledger of open causes reads the published post-mortems whose root cause is unknown or
-- only suspected.
CREATE INDEX postmortems_uncertain ON postmortems (incident_id)
    WHERE ((sections::jsonb) #>> '{root_cause,certainty}') IN ('unknown', 'probable')
    AND status IN ('published', 'archived');
