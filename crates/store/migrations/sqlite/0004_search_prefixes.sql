-- The search index, rebuilt with prefix indexes and with each record's source.
--
-- A search word is matched as the beginning of a name ("Rez" finds Rezaei). Without a prefix
-- index FTS5 merges the lists of every name that starts with the word on each query, which for
-- a common name (a third of all records begin with "mohammad") took a search from under a
-- millisecond to over ten. With an index for prefixes of 1 to 8 letters such a query reads one
-- list, as a whole word does; longer prefixes are shared by few names and merge cheaply. The
-- name index is about four times larger.
--
-- record_facets gains the record's source, so a page of persons is summed up (names, sources,
-- records) from the index alone, without reading the records' rows.
--
-- Both tables are emptied here and filled again from the records when the registry is next
-- opened (records without a record_facets row are indexed at open).
DROP TABLE record_terms;

CREATE VIRTUAL TABLE record_terms USING fts5 (
    names, skeletons, content = '', tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4 5 6 7 8'
);

DROP TABLE record_facets;

CREATE TABLE record_facets (
    record_id     INTEGER PRIMARY KEY REFERENCES source_records (id),
    source_id     INTEGER NOT NULL REFERENCES sources (id),
    display_name  TEXT NOT NULL,
    prison        TEXT,
    city          TEXT,
    death_year    INTEGER,
    death_month   TEXT
);
CREATE INDEX record_facets_by_prison ON record_facets (prison);
CREATE INDEX record_facets_by_city ON record_facets (city);
CREATE INDEX record_facets_by_year ON record_facets (death_year);
