-- Hindsight schema, PostgreSQL.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    password_hash TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE teams (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members (user_id, team_id);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    owner_team_id TEXT REFERENCES teams (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX services_by_team ON services (owner_team_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('incident', 0);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    number BIGINT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    severity BIGINT NOT NULL CHECK (severity BETWEEN 1 AND 5),
    status TEXT NOT NULL,
    detection_method TEXT NOT NULL,
    began_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    detected_at TIMESTAMPTZ,
    acknowledged_at TIMESTAMPTZ,
    mitigated_at TIMESTAMPTZ,
    resolved_at TIMESTAMPTZ,
    private BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX incidents_by_status ON incidents (status, number);
CREATE INDEX incidents_by_severity ON incidents (severity, number);
CREATE INDEX incidents_by_began ON incidents (began_at);
CREATE INDEX incidents_private ON incidents (private, number);

CREATE TABLE incident_services (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, service_id)
);
CREATE INDEX incident_services_by_service ON incident_services (service_id, incident_id);

CREATE TABLE incident_teams (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, team_id)
);
CREATE INDEX incident_teams_by_team ON incident_teams (team_id, incident_id);

CREATE TABLE incident_responders (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (incident_id, user_id, role)
);
CREATE INDEX incident_responders_by_user ON incident_responders (user_id, incident_id);

-- Every change to an incident: who, when, why, and each field's old and new value.
CREATE TABLE incident_history (
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    actor_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    at TIMESTAMPTZ NOT NULL,
    reason TEXT,
    changes TEXT NOT NULL,
    PRIMARY KEY (incident_id, version)
);

CREATE TABLE incident_refs (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, value)
);
CREATE INDEX incident_refs_by_incident ON incident_refs (incident_id);

-- external_id is the source's own id of the event (or a hash of its content), so that
-- importing the same input twice adds nothing; events typed by hand get their own id.
-- Timelines are ordered by (occurred_at, source, external_id): a total order that does
-- not depend on the order things were imported in.
CREATE TABLE timeline_events (
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
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX timeline_events_by_incident ON timeline_events (incident_id, occurred_at, source, external_id);
CREATE UNIQUE INDEX timeline_events_external ON timeline_events (incident_id, source, external_id);

CREATE TABLE postmortems (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL UNIQUE REFERENCES incidents (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    due_date TEXT,
    sections TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ,
    version BIGINT NOT NULL
);
CREATE INDEX postmortems_by_status ON postmortems (status, updated_at);
CREATE INDEX postmortems_by_owner ON postmortems (owner_id, status);

CREATE TABLE postmortem_history (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    actor_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    at TIMESTAMPTZ NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (postmortem_id, version)
);

CREATE TABLE action_items (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    kind TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    owner_team_id TEXT REFERENCES teams (id) ON DELETE SET NULL,
    priority TEXT NOT NULL,
    due_date TEXT,
    status TEXT NOT NULL,
    tracker_url TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX action_items_by_incident ON action_items (incident_id, created_at);
CREATE INDEX action_items_by_status ON action_items (status, due_date);
CREATE INDEX action_items_by_owner ON action_items (owner_id, status);
CREATE INDEX action_items_by_team ON action_items (owner_team_id, status);
