-- Notifications: what a person is told, in their inbox. Each is made once per person and
-- reason (`origin`: the outbox event it comes from, the post-mortem a reader is asked to
-- read, or the action item and date a reminder is about), so a worker that runs a pass
-- twice, or two servers that both run one, make no second copy. Reading one sets `read_at`.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    action_item_id TEXT REFERENCES action_items (id) ON DELETE CASCADE,
    comment_id TEXT REFERENCES comments (id) ON DELETE CASCADE,
    actor_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    origin TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT,
    UNIQUE (user_id, origin)
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_by_incident ON notifications (incident_id);
CREATE INDEX notifications_by_action_item ON notifications (action_item_id);
CREATE INDEX notifications_by_comment ON notifications (comment_id);

-- Readers of the outbox, each with the last event it handled and a lease: the server
-- holding an unexpired lease is the one that reads, so several servers on one database
-- take turns instead of racing. A new reader starts after the events already stored.
CREATE TABLE outbox_readers (
    name TEXT PRIMARY KEY,
    last_id BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT
);
INSERT INTO outbox_readers (name, last_id) SELECT 'notifications', COALESCE(MAX(id), 0) FROM outbox;
