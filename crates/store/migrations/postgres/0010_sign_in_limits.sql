-- Sign-in attempts counted where every server sharing the database sees them: one row
-- per account name tried and one per client address. An attempt counts as a failure
-- from the moment it is let through until it succeeds. Rows idle for a day are pruned.
CREATE TABLE sign_in_failures (
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key TEXT NOT NULL,
    failures BIGINT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    last_failure TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX sign_in_failures_last_failure ON sign_in_failures (last_failure);

-- Whether history rows written before the audit chain (migration 0005) have been sealed:
-- the store seals them once, at the first migration that finds this 0, and sets it to 1.
-- After that a history row without a hash is a broken chain, never sealed again.
INSERT INTO counters (name, value) VALUES ('history_sealed', 0);
