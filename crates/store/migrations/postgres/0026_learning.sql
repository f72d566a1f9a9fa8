-- Learning across incidents. When each action item was last closed (done or won't do),
-- so that whether a fix held can be read from when its cause came back; items closed
-- before this column take their last change as that moment.
ALTER TABLE action_items ADD COLUMN closed_at TIMESTAMPTZ;
UPDATE action_items SET closed_at = updated_at WHERE status IN ('done', 'wont_do');
CREATE INDEX action_items_by_closed ON action_items (closed_at) WHERE closed_at IS NOT NULL;
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
-- The root cause and damage scope as columns beside the sections they are read from, written
-- with them: counting across post-mortems must not parse every post-mortem's JSON. The
-- component is lower-cased and trimmed.
ALTER TABLE postmortems ADD COLUMN cause_component TEXT NOT NULL DEFAULT '';
ALTER TABLE postmortems ADD COLUMN cause_certainty TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE postmortems ADD COLUMN cause_legacy BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE postmortems ADD COLUMN cause_must_fix BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE postmortems ADD COLUMN impact_minutes BIGINT NOT NULL DEFAULT 0;
UPDATE postmortems SET
    cause_component = lower(trim(COALESCE((sections::jsonb) #>> '{root_cause,component}', ''))),
    cause_certainty = COALESCE((sections::jsonb) #>> '{root_cause,certainty}', 'unknown'),
    cause_legacy = COALESCE(((sections::jsonb) #>> '{root_cause,legacy_code}')::boolean, FALSE),
    cause_must_fix = COALESCE(((sections::jsonb) #>> '{root_cause,must_fix}')::boolean, FALSE),
    impact_minutes = COALESCE(((sections::jsonb) #>> '{impact,access_lost_minutes}')::bigint, 0);
CREATE INDEX postmortems_by_cause ON postmortems (cause_component, incident_id) WHERE cause_component <> '';
-- The ledger of open causes: published post-mortems whose root cause is unknown or suspected.
CREATE INDEX postmortems_uncertain ON postmortems (incident_id)
    WHERE cause_certainty IN ('unknown', 'probable') AND status IN ('published', 'archived');
