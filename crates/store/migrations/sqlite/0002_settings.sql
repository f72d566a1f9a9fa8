-- Settings changed at run time by admins, over the values the server is configured with.
-- One row per setting, e.g. key 'policy.prolonged_minutes', value '45' (JSON text).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by TEXT,
    updated_at TEXT NOT NULL
);
