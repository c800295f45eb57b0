-- Adding a record's search facets no longer marks its person's summary stale by trigger.
--
-- The trigger looked the record up in record_person once per row written to record_facets.
-- An import writes facets only for records it has just created, which belong to no person yet,
-- so the look-up never found anything, and it was a quarter of the time spent writing facets
-- (1.2 s of a million-row import). The one write that indexes records which may already
-- belong to a person, the search index's rebuild at open, now marks their persons itself
-- (`index_missing_records` in sqlite_browse.rs).
DROP TRIGGER record_facets_added_marks_summary;
