-- Live editing: each post-mortem's shared document (its narrative sections as Yjs texts) is
-- kept as the updates editors sent, numbered in the order the server accepted them, and
-- compacted now and then into one snapshot: the document is `snapshot` followed by the
-- updates after `through_seq`. `last_seq` hands out the numbers (its row stays locked until
-- the appending transaction commits). Removing the post-mortem removes its document.
CREATE TABLE live_documents (
    postmortem_id TEXT PRIMARY KEY REFERENCES postmortems (id) ON DELETE CASCADE,
    snapshot BYTEA,
    through_seq BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE live_updates (
    postmortem_id TEXT NOT NULL REFERENCES live_documents (postmortem_id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    body BYTEA NOT NULL,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (postmortem_id, seq)
);
