-- Domain events (incident declared, post-mortem published, action item closed, ...), each
-- appended by the write that made the change, in its transaction. Ids come from the
-- `outbox_event` counter, whose row every append locks until commit, so ids are handed
-- out in commit order and a reader that remembers the last id it handled misses none.
CREATE TABLE outbox (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    incident_id TEXT NOT NULL,
    actor_id TEXT,
    at TIMESTAMPTZ NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX outbox_by_incident ON outbox (incident_id);
INSERT INTO counters (name, value) VALUES ('outbox_event', 0);
