-- Which of an incident's moments imports took from its timeline's key moments (key moment
-- words, space-separated): later imports move those as the timeline grows. Every other known
-- moment was set by a person and stays. Moments known before this column are taken as set by
-- a person.
ALTER TABLE incidents ADD COLUMN moments_from_timeline TEXT NOT NULL DEFAULT '';
