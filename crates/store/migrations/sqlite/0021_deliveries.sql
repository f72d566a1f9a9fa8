-- Delivery beyond the inbox. Destinations are where domain events go out to (a Slack or
-- Teams incoming webhook, a signed webhook), chosen by admins; their addresses and keys are
-- sealed with the server's secret key before they are stored. Deliveries are the messages
-- to send, each once per idempotency `key`: an email of a notification or of a day's
-- digest, or an event to a destination. A worker leases a few at a time, so several
-- servers never send one twice; a failure is retried later, and given up after some tries.
CREATE TABLE destinations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('slack', 'teams', 'webhook')),
    team_id TEXT REFERENCES teams (id) ON DELETE CASCADE,
    events TEXT NOT NULL,
    sealed_url TEXT NOT NULL,
    sealed_key TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX destinations_by_team ON destinations (team_id);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'slack', 'teams', 'webhook')),
    destination_id TEXT REFERENCES destinations (id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    notification_id BIGINT REFERENCES notifications (id) ON DELETE CASCADE,
    event_id BIGINT,
    digest_id BIGINT REFERENCES deliveries (id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('held', 'bundling', 'bundled', 'pending', 'delivered', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX deliveries_due ON deliveries (next_at) WHERE state = 'pending';
CREATE INDEX deliveries_failed ON deliveries (id) WHERE state = 'failed';
CREATE INDEX deliveries_held ON deliveries (user_id) WHERE state = 'held';
CREATE INDEX deliveries_by_destination ON deliveries (destination_id);
CREATE INDEX deliveries_by_user ON deliveries (user_id);
CREATE INDEX deliveries_by_notification ON deliveries (notification_id);
CREATE INDEX deliveries_by_digest ON deliveries (digest_id);

-- What each person wants by email: a digest a day instead of single mails, and kinds they
-- unsubscribed from.
CREATE TABLE email_settings (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    digest BOOLEAN NOT NULL
);
CREATE TABLE email_muted (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- A notification is routed to the channels once; those made before this schema were
-- in-app only, and stay so.
ALTER TABLE notifications ADD COLUMN routed_at TEXT;
UPDATE notifications SET routed_at = created_at;
CREATE INDEX notifications_unrouted ON notifications (id) WHERE routed_at IS NULL;
INSERT INTO outbox_readers (name, last_id) SELECT 'destinations', COALESCE(MAX(id), 0) FROM outbox;
