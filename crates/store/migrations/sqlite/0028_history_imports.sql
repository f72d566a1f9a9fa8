-- Where an import of incident history from a vendor's API stands, so that the same command
-- run again after an interruption goes on from there. One row per vendor and window asked
-- for (`until_asked` is '' when open-ended); `ends_at` is the end fixed by the run that
-- started it. The window is read in chunks of time, oldest first: `chunk_start` is the
-- first chunk not fully imported and `chunk_done` how many of its incidents, in the
-- vendor's list order, are. `finished_at` is set once the whole window is in.
CREATE TABLE history_imports (
    vendor TEXT NOT NULL,
    since TEXT NOT NULL,
    until_asked TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    chunk_start TEXT NOT NULL,
    chunk_done BIGINT NOT NULL,
    finished_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor, since, until_asked)
);
