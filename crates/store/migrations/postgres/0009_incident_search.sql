-- Full-text search over incidents' titles and descriptions (the incident list's search box,
-- the API's `q`): words and word prefixes, found through a GIN index instead of reading
-- every incident. Words are runs of letters and digits, as SQLite's FTS5 index and the
-- store's queries cut them (PostgreSQL's own parser would keep `db01.prod.example` whole),
-- in the 'simple' configuration: no stemming, accents count.
ALTER TABLE incidents ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', regexp_replace(title || ' ' || description, '[^[:alnum:]]+', ' ', 'g'))) STORED;
CREATE INDEX incidents_search ON incidents USING GIN (search);
