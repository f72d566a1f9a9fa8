-- Readers of a post-mortem: the teams (each member) and people it must reach, and their
-- receipts. Until someone chooses them (`readers_chosen`), its reader teams are proposed
-- from its incident: the teams owning the affected services and the teams named on it.
ALTER TABLE postmortems ADD COLUMN readers_chosen BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE postmortem_reader_teams (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (postmortem_id, team_id)
);
CREATE INDEX postmortem_reader_teams_by_team ON postmortem_reader_teams (team_id);
CREATE TABLE postmortem_reader_users (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (postmortem_id, user_id)
);
CREATE INDEX postmortem_reader_users_by_user ON postmortem_reader_users (user_id);
-- "Read and understood", once per person and post-mortem.
CREATE TABLE read_receipts (
    postmortem_id TEXT NOT NULL REFERENCES postmortems (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at TEXT NOT NULL,
    PRIMARY KEY (postmortem_id, user_id)
);
CREATE INDEX read_receipts_by_user ON read_receipts (user_id);
