-- The header of each import, stored once. Records imported from now on keep their verbatim
-- cells as a JSON array of the values alone, in the order of these columns: repeating every
-- column's name in every record made up a third of a record's size, and of the time spent
-- writing it. Imports made before keep NULL here; their records keep each cell with its column
-- and read exactly as before. The header is part of the records' digest (`audit verify`).
--
-- source_records.search_text is no longer filled for new records (they store ''): nothing
-- reads it since the search index (record_terms) took its place.
ALTER TABLE imports ADD COLUMN columns TEXT;
