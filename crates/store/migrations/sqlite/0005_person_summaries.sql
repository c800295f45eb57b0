-- What a list of persons shows about each (the names the records give, most common first, and
-- how many records and sources), kept per person so a page of search results reads 50 rows
-- instead of every record of 50 persons: summing them up at each search was half its cost.
--
-- Triggers note which persons' records changed in person_summaries_stale; the write that
-- changed them (a linkage run, an assignment, the search index's rebuild) sums those persons up
-- again before it commits (`refresh_person_summaries` in sqlite_browse.rs). Like the search
-- index, the table is derived and can always be rebuilt from record_person and record_facets.
CREATE TABLE person_summaries (
    person_id  INTEGER PRIMARY KEY REFERENCES persons (id),
    names      TEXT NOT NULL,
    records    INTEGER NOT NULL,
    sources    INTEGER NOT NULL
);

CREATE TABLE person_summaries_stale (
    person_id  INTEGER PRIMARY KEY
);

-- `WHERE NOT EXISTS` rather than `INSERT OR IGNORE`: record_person is written by an upsert,
-- whose conflict policy would override the trigger's own.
CREATE TRIGGER record_person_added_marks_summary AFTER INSERT ON record_person
BEGIN
    INSERT INTO person_summaries_stale (person_id) SELECT new.person_id
    WHERE NOT EXISTS (SELECT 1 FROM person_summaries_stale WHERE person_id = new.person_id);
END;

CREATE TRIGGER record_person_moved_marks_summaries AFTER UPDATE OF person_id ON record_person
BEGIN
    INSERT INTO person_summaries_stale (person_id) SELECT old.person_id
    WHERE NOT EXISTS (SELECT 1 FROM person_summaries_stale WHERE person_id = old.person_id);
    INSERT INTO person_summaries_stale (person_id) SELECT new.person_id
    WHERE NOT EXISTS (SELECT 1 FROM person_summaries_stale WHERE person_id = new.person_id);
END;

CREATE TRIGGER record_facets_added_marks_summary AFTER INSERT ON record_facets
BEGIN
    INSERT INTO person_summaries_stale (person_id)
    SELECT rp.person_id FROM record_person rp WHERE rp.record_id = new.record_id
    AND NOT EXISTS (SELECT 1 FROM person_summaries_stale s WHERE s.person_id = rp.person_id);
END;

-- Every person with records is stale at first; the registry sums them up when it is opened.
INSERT INTO person_summaries_stale (person_id) SELECT DISTINCT person_id FROM record_person;
