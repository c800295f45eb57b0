-- The registry: evidence that came in (sources, imports, files, source records), what we believe
-- (persons, memberships, claims, pair decisions, review queue) and the audit chain over all of it.
-- Source records and audit entries can never be updated or deleted (triggers below).

CREATE TABLE files (
    sha256        TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
    media_type    TEXT NOT NULL,
    original_name TEXT NOT NULL,
    added_by      TEXT NOT NULL,
    added_at      TEXT NOT NULL
);

CREATE TABLE sources (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('list', 'testimony', 'document', 'government_reply',
                                              'family_submission', 'media_report')),
    reliability TEXT NOT NULL CHECK (reliability IN ('high', 'medium', 'low', 'unknown')),
    calendar    TEXT CHECK (calendar IN ('solar_hijri', 'gregorian')),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources (id),
    file_sha256   TEXT NOT NULL REFERENCES files (sha256),
    encoding      TEXT NOT NULL,
    delimiter     TEXT NOT NULL,
    mapping       TEXT NOT NULL,
    row_count     INTEGER NOT NULL,
    records_sha256 TEXT NOT NULL,
    imported_by   TEXT NOT NULL,
    imported_at   TEXT NOT NULL
);
CREATE INDEX imports_by_file ON imports (file_sha256);

CREATE TABLE source_records (
    id                INTEGER PRIMARY KEY,
    source_id         INTEGER NOT NULL REFERENCES sources (id),
    import_id         INTEGER NOT NULL REFERENCES imports (id),
    row_number        INTEGER NOT NULL,
    external_id       TEXT,
    raw_text          TEXT NOT NULL,
    raw_cells         TEXT NOT NULL,
    fields            TEXT NOT NULL,
    warnings          TEXT NOT NULL,
    search_text       TEXT NOT NULL,
    UNIQUE (import_id, row_number)
);
CREATE INDEX source_records_by_source ON source_records (source_id, external_id);

CREATE TRIGGER source_records_are_immutable BEFORE UPDATE ON source_records
BEGIN
    SELECT RAISE(ABORT, 'source records are immutable: record a correction as a claim');
END;
CREATE TRIGGER source_records_are_never_deleted BEFORE DELETE ON source_records
BEGIN
    SELECT RAISE(ABORT, 'source records are never deleted');
END;

CREATE TABLE persons (
    id           INTEGER PRIMARY KEY,
    merged_into  INTEGER REFERENCES persons (id),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- Which person a record belongs to: the newest row for a record wins, so merges and splits are
-- appends and can be undone.
CREATE TABLE memberships (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES source_records (id),
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    method      TEXT NOT NULL CHECK (method IN ('automatic', 'reviewed', 'manual')),
    score       REAL,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL
);
CREATE INDEX memberships_by_record ON memberships (record_id, id);
CREATE INDEX memberships_by_person ON memberships (person_id);

CREATE TABLE claims (
    id            INTEGER PRIMARY KEY,
    subject_kind  TEXT NOT NULL CHECK (subject_kind IN ('person')),
    subject_id    INTEGER NOT NULL,
    field         TEXT NOT NULL,
    value         TEXT NOT NULL,
    origin_kind   TEXT NOT NULL CHECK (origin_kind IN ('record', 'source')),
    origin_id     INTEGER NOT NULL,
    locator       TEXT,
    state         TEXT NOT NULL CHECK (state IN ('asserted', 'disputed', 'retracted')),
    entered_by    TEXT NOT NULL,
    entered_at    TEXT NOT NULL
);
CREATE INDEX claims_by_subject ON claims (subject_kind, subject_id, field);

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    payload    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_is_never_deleted BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
