-- Full-text search over incidents' titles and descriptions (the incident list's search box,
-- the API's `q`): words and word prefixes, found through an index instead of reading every
-- incident. FTS5 keeps its own copy of the text, keyed by incident number (stable, unlike a
-- rowid), kept current by triggers.
-- Accents count, as in PostgreSQL's 'simple' configuration: both find words the same way.
CREATE VIRTUAL TABLE incidents_search USING fts5(title, description, tokenize = 'unicode61 remove_diacritics 0');
INSERT INTO incidents_search (rowid, title, description) SELECT number, title, description FROM incidents;
CREATE TRIGGER incidents_search_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO incidents_search (rowid, title, description) VALUES (new.number, new.title, new.description);
END;
CREATE TRIGGER incidents_search_update AFTER UPDATE OF title, description ON incidents BEGIN
    DELETE FROM incidents_search WHERE rowid = old.number;
    INSERT INTO incidents_search (rowid, title, description) VALUES (new.number, new.title, new.description);
END;
CREATE TRIGGER incidents_search_delete AFTER DELETE ON incidents BEGIN
    DELETE FROM incidents_search WHERE rowid = old.number;
END;
