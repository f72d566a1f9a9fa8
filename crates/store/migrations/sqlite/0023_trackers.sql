-- Trackers: GitHub Issues and Jira Cloud, where action items are worked on. Their tokens
-- and webhook secrets are sealed with the server's secret key before they are stored.
CREATE TABLE trackers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('github', 'jira')),
    api_url TEXT NOT NULL,
    project TEXT NOT NULL,
    sealed_token TEXT NOT NULL,
    sealed_webhook_secret TEXT NOT NULL,
    auto_priorities TEXT NOT NULL,
    people TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- An action item's issue, one at most. `remote_key` is null until the issue is made.
-- `base` is what both sides last agreed on (the title, owner, due date and status, as
-- JSON; empty until the issue is made), `synced_version` the item's version it was taken
-- at. `received` is the issue as the tracker's webhook last told of it. A link is
-- `pending` while one side has something the other lacks: set with each change of the
-- item (in its transaction) and each webhook, cleared by the worker that brought both in
-- step, which leases the link while it talks to the tracker. `creating_at` is when a
-- worker first asked the tracker to make the issue: a later try looks for it there first.
CREATE TABLE tracker_links (
    action_item_id TEXT PRIMARY KEY REFERENCES action_items (id) ON DELETE CASCADE,
    tracker_id TEXT NOT NULL REFERENCES trackers (id) ON DELETE CASCADE,
    remote_key TEXT,
    url TEXT,
    base TEXT NOT NULL,
    synced_version BIGINT NOT NULL,
    received TEXT,
    pending BOOLEAN NOT NULL,
    remote_updated_at TEXT,
    creating_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX tracker_links_by_issue ON tracker_links (tracker_id, remote_key);
CREATE INDEX tracker_links_due ON tracker_links (next_at) WHERE pending;

-- Changes sent to and received from trackers, with what became of each: the history in
-- which a change that lost to a later one is kept.
CREATE TABLE tracker_sync_log (
    id INTEGER PRIMARY KEY,
    action_item_id TEXT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    direction TEXT NOT NULL CHECK (direction IN ('sent', 'received')),
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'overridden')),
    fields TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX tracker_sync_log_by_item ON tracker_sync_log (action_item_id, id);
