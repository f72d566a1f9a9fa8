-- Why a post-mortem's change was made (e.g. why it went to review with wording findings
-- left open); kept beside the change and hashed with it, as in incident_history.
ALTER TABLE postmortem_history ADD COLUMN reason TEXT;
