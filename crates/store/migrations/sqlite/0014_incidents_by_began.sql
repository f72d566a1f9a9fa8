-- The incident list sorted by when each incident began walks (began_at, number);
-- the same index serves the since/until filters the single-column one served.
CREATE INDEX incidents_by_began_number ON incidents (began_at, number);
DROP INDEX incidents_by_began;
