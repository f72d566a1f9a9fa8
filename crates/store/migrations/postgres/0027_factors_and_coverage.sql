-- Contributing factors tagged on post-mortems: keys of the configured taxonomy. A key later
-- taken out of the taxonomy stays on the post-mortems that had it.
CREATE TABLE postmortem_factors (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    factor TEXT NOT NULL,
    PRIMARY KEY (postmortem_id, factor)
);
CREATE INDEX postmortem_factors_by_factor ON postmortem_factors (factor, postmortem_id);
-- The policy's decision on each incident when it resolved (required, recommended or
-- not_needed), for post-mortem coverage; empty for incidents resolved before it was kept.
ALTER TABLE incidents ADD COLUMN policy_necessity TEXT;
CREATE INDEX incidents_by_necessity ON incidents (policy_necessity, began_at) WHERE policy_necessity IS NOT NULL;
-- Action items by due date, for those that fell due over a period.
CREATE INDEX action_items_by_due ON action_items (due_date) WHERE due_date IS NOT NULL;
-- One post-mortem for several incidents: an incident without a post-mortem of its own may be
-- covered by another incident's post-mortem (by one at most), whose timeline then shows its
-- events too.
CREATE TABLE postmortem_incidents (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    incident_id TEXT NOT NULL UNIQUE REFERENCES incidents (id) ON DELETE CASCADE,
    added_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    added_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (postmortem_id, incident_id)
);
