-- Review of a post-mortem: its named reviewers, their verdicts (each kept, with the round
-- of review it was given in: every submission for review starts one, `review_round`), and
-- the review meeting with its attendees. Published post-mortems by time, for the readers'
-- reminders.
ALTER TABLE postmortems ADD COLUMN review_round BIGINT NOT NULL DEFAULT 0;
ALTER TABLE postmortems ADD COLUMN review_meeting_at TIMESTAMPTZ;
CREATE TABLE postmortem_reviewers (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (postmortem_id, user_id)
);
CREATE INDEX postmortem_reviewers_by_user ON postmortem_reviewers (user_id);
CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    reviewer_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('approved', 'changes_requested')),
    comment TEXT NOT NULL,
    round BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reviews_by_postmortem ON reviews (postmortem_id, created_at);
CREATE TABLE review_meeting_attendees (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (postmortem_id, user_id)
);
CREATE INDEX postmortems_published ON postmortems (status, published_at);
