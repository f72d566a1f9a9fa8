-- The discussion of a post-mortem: comments, each either opening a thread (anchored to a
-- range of one narrative text, or to the whole) or answering one (`reply_to`, the thread's
-- first comment). Kept as written; a thread is resolved and reopened on its first comment.
-- `comment_mentions` holds the people a comment names, as references for notifications.
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    reply_to TEXT REFERENCES comments (id) ON DELETE CASCADE,
    anchor_section TEXT,
    anchor_start TEXT,
    anchor_end TEXT,
    anchor_quote TEXT,
    body TEXT NOT NULL,
    author_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX comments_by_postmortem ON comments (postmortem_id, created_at);
CREATE TABLE comment_mentions (
    comment_id TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_mentions_by_user ON comment_mentions (user_id);
