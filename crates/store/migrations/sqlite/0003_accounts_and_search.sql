-- Accounts for the web app (users, sessions, API tokens, failed logins), and the search index
-- over records and persons. Secrets are stored only as hashes: Argon2id for passwords, SHA-256
-- for session and API tokens (which are random and long, so a fast hash is enough).

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    login                 TEXT NOT NULL UNIQUE,
    role                  TEXT NOT NULL CHECK (role IN ('admin', 'investigator', 'analyst',
                                                        'family', 'viewer')),
    password_hash         TEXT NOT NULL,
    must_change_password  INTEGER NOT NULL DEFAULT 0,
    disabled_at           TEXT,
    created_by            TEXT NOT NULL,
    created_at            TEXT NOT NULL
);

CREATE TABLE sessions (
    token_sha256  TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_sha256  TEXT PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    label         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT
);

CREATE TABLE login_failures (
    id     INTEGER PRIMARY KEY,
    login  TEXT NOT NULL,
    at     TEXT NOT NULL
);
CREATE INDEX login_failures_by_login ON login_failures (login, at);

-- The current person of each record (the newest membership), kept by a trigger so that pages
-- and search never scan the membership history.
CREATE TABLE record_person (
    record_id  INTEGER PRIMARY KEY REFERENCES source_records (id),
    person_id  INTEGER NOT NULL REFERENCES persons (id)
);
CREATE INDEX record_person_by_person ON record_person (person_id, record_id);

INSERT INTO record_person (record_id, person_id)
SELECT m.record_id, m.person_id FROM memberships m
 WHERE m.id = (SELECT max(id) FROM memberships WHERE record_id = m.record_id);

CREATE TRIGGER memberships_keep_record_person AFTER INSERT ON memberships
BEGIN
    INSERT INTO record_person (record_id, person_id) VALUES (new.record_id, new.person_id)
    ON CONFLICT (record_id) DO UPDATE SET person_id = excluded.person_id;
END;

-- What search and the filters read about each record: the name to show, the facet keys
-- (normalised, so both scripts and any spelling of a prison meet) and the year of death.
CREATE TABLE record_facets (
    record_id     INTEGER PRIMARY KEY REFERENCES source_records (id),
    display_name  TEXT NOT NULL,
    prison        TEXT,
    city          TEXT,
    death_year    INTEGER,
    death_month   TEXT
);
CREATE INDEX record_facets_by_prison ON record_facets (prison);
CREATE INDEX record_facets_by_city ON record_facets (city);
CREATE INDEX record_facets_by_year ON record_facets (death_year);

-- Full-text index of names: `names` holds the normalised spellings, `skeletons` the
-- cross-script consonant keys, so a query in either script and any spelling finds a record.
CREATE VIRTUAL TABLE record_terms USING fts5 (
    names, skeletons, content = '', tokenize = 'unicode61 remove_diacritics 2'
);
