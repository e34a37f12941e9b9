-- The two people, the pair's shared settings, and the operational tables
-- that keep sign-in working (sessions and one-time links). Only `people` and
-- `pair` changes are mirrored in the record; sessions and tokens are not.

-- Exactly two accounts can ever exist: ids are 1 and 2 and nothing else.
CREATE TABLE people (
    id            INTEGER PRIMARY KEY CHECK (id IN (1, 2)),
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 60),
    password_hash TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    -- Set when the person closes their account; they can no longer sign in.
    closed_at     TEXT
) STRICT;

-- Settings both people share. One row.
CREATE TABLE pair (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    time_zone TEXT    NOT NULL
) STRICT;

-- Server-side sessions. The cookie holds a random token; only its SHA-256 is
-- stored, so a copy of the database does not sign anyone in.
CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    created_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL,
    -- 1: "keep me signed in on this device" (30 days, rolling); 0: 12 hours idle.
    persistent   INTEGER NOT NULL CHECK (persistent IN (0, 1)),
    user_agent   TEXT    NOT NULL DEFAULT '',
    address      TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_by_person ON sessions (person_id);

-- One-time links (setup, invite, password reset), stored hashed.
CREATE TABLE one_time_links (
    token_hash TEXT    PRIMARY KEY,
    purpose    TEXT    NOT NULL CHECK (purpose IN ('setup', 'invite', 'reset')),
    -- For a reset link: whose password it resets.
    person_id  INTEGER REFERENCES people (id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT,
    revoked_at TEXT
) STRICT;
CREATE INDEX one_time_links_by_purpose ON one_time_links (purpose, expires_at);
