-- Forms that change something carry a one-time key (`once`), so a double
-- click or a replayed POST is recorded once. Operational data: not on the
-- record, and old keys may be pruned.
CREATE TABLE submissions (
    once_key   TEXT    PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    created_at TEXT    NOT NULL
) STRICT;
