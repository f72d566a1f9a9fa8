-- When a person last changed a timeline event (NULL: never). An event someone edited is
-- never removed as the duplicate of another by an import: the edit is theirs to keep.
ALTER TABLE timeline_events ADD COLUMN edited_at TEXT;
