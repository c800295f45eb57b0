-- Linkage: review decisions on pairs of records, linkage runs, and the pairs each run left for
-- review. Decisions are appended (the newest per pair wins) and never edited.

CREATE TABLE pair_decisions (
    id          INTEGER PRIMARY KEY,
    record_a    INTEGER NOT NULL REFERENCES source_records (id),
    record_b    INTEGER NOT NULL REFERENCES source_records (id),
    decision    TEXT NOT NULL CHECK (decision IN ('same', 'different', 'unsure')),
    note        TEXT,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL,
    CHECK (record_a < record_b)
);
CREATE INDEX pair_decisions_by_pair ON pair_decisions (record_a, record_b, id);

CREATE TRIGGER pair_decisions_are_append_only BEFORE UPDATE ON pair_decisions
BEGIN
    SELECT RAISE(ABORT, 'a decision is never edited: record a new one');
END;

CREATE TABLE linkage_runs (
    id          INTEGER PRIMARY KEY,
    summary     TEXT NOT NULL,
    run_by      TEXT NOT NULL,
    run_at      TEXT NOT NULL
);

CREATE TABLE review_pairs (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES linkage_runs (id),
    record_a     INTEGER NOT NULL REFERENCES source_records (id),
    record_b     INTEGER NOT NULL REFERENCES source_records (id),
    probability  REAL NOT NULL,
    explanation  TEXT NOT NULL,
    UNIQUE (run_id, record_a, record_b),
    CHECK (record_a < record_b)
);
