-- The search index is rebuilt so that each record's month and year of death follow the rule
-- of `UncertainDate::month` and `UncertainDate::year`: the Gregorian month (year) holding the
-- middle of the date's interval, none when the interval is longer than a month (a year).
--
-- Before, a date had a month only when its first and last days fell in one Gregorian month,
-- so a Solar Hijri month (Mordad 1367 runs from 23 July to 22 August 1988) had none and was
-- left out of the statistics page's chart of persons by month; and its year was the year of
-- its first day (Dey 1367, mostly January 1989, counted in 1988).
--
-- Both tables are emptied here and filled again from the records when the registry is next
-- opened (records without a record_facets row are indexed at open), as in 0004.
DELETE FROM record_facets;
INSERT INTO record_terms (record_terms) VALUES ('delete-all');
