-- Agreements written together, signed by both, and the commitments in them
-- with their records of being kept or broken. Every change to these tables
-- is written in the same transaction as its entry on the record; these
-- tables only make pages fast to read.

-- Agreements may belong to a breach, which the repair path records in its
-- own migration (0005, before this one). SQLite refuses writes to a table
-- whose foreign key names a table that does not exist, even with NULL; so
-- that this migration also works on its own, it makes sure a `breaches`
-- table exists. Where the repair path's migration ran first (it is numbered
-- before this one), this does nothing.
CREATE TABLE IF NOT EXISTS breaches (
    id INTEGER PRIMARY KEY
) STRICT;

-- One agreement across all its versions. `state` is 'draft' until both sign
-- a first version, then 'active' (a version is in force), then 'ended'.
-- An active agreement may also have an open amendment draft (`draft_open`).
CREATE TABLE agreements (
    id                   INTEGER PRIMARY KEY,
    -- The title of the latest revision, for lists.
    title                TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- The breach this agreement belongs to, if any (the repair path's table).
    breach_id            INTEGER REFERENCES breaches (id),
    state                TEXT    NOT NULL CHECK (state IN ('draft', 'active', 'ended')),
    -- 1 while a draft (a first draft or an amendment) is being written.
    draft_open           INTEGER NOT NULL CHECK (draft_open IN (0, 1)),
    -- The draft's latest revision (NULL when no draft is open).
    current_revision_id  INTEGER REFERENCES agreement_revisions (id),
    -- The revision proposed for signing; only the current one can be signed.
    proposed_revision_id INTEGER REFERENCES agreement_revisions (id),
    proposed_by          INTEGER REFERENCES people (id),
    -- The version in force (NULL before the first is signed by both).
    active_version       INTEGER,
    -- The end date agreed in the version in force (YYYY-MM-DD, last day).
    ends_on              TEXT,
    -- A proposal to end the agreement, waiting for the second signature.
    end_proposed_by      INTEGER REFERENCES people (id),
    end_proposed_at      TEXT,
    end_note             TEXT,
    ended_at             TEXT,
    created_by           INTEGER NOT NULL REFERENCES people (id),
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL
) STRICT;
CREATE INDEX agreements_by_state ON agreements (state, updated_at);

-- Every save of a draft. Never changed once written: what was signed is
-- exactly what is stored here, and the triggers below make sure of it.
CREATE TABLE agreement_revisions (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    -- 1, 2, 3 … within the agreement, across all its drafts.
    number       INTEGER NOT NULL CHECK (number >= 1),
    -- The revision the author was editing (NULL for the first of a draft).
    based_on     INTEGER REFERENCES agreement_revisions (id),
    -- 1 for the revisions of an amendment draft.
    amendment    INTEGER NOT NULL CHECK (amendment IN (0, 1)),
    title        TEXT    NOT NULL,
    -- Markdown, up to 50,000 characters.
    body         TEXT    NOT NULL,
    -- YYYY-MM-DD: the agreement ends by itself after this day (optional).
    ends_on      TEXT,
    -- JSON array of commitments (owner, text, schedule, carried identity).
    commitments  TEXT    NOT NULL,
    -- SHA-256 over the canonical form of title, text, end date and commitments.
    content_hash TEXT    NOT NULL CHECK (length(content_hash) = 64),
    author       INTEGER NOT NULL REFERENCES people (id),
    created_at   TEXT    NOT NULL,
    UNIQUE (agreement_id, number)
) STRICT;

CREATE TRIGGER agreement_revisions_refuse_update BEFORE UPDATE ON agreement_revisions
BEGIN
    SELECT RAISE(ABORT, 'agreement revisions cannot be changed');
END;
CREATE TRIGGER agreement_revisions_refuse_delete BEFORE DELETE ON agreement_revisions
BEGIN
    SELECT RAISE(ABORT, 'agreement revisions cannot be removed');
END;

-- A person's signature on one exact revision, for a new version or for
-- ending. `cleared_at` is set when an edit or a decline makes it void; the
-- row stays so history shows it.
CREATE TABLE agreement_signatures (
    id           INTEGER PRIMARY KEY,
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    revision_id  INTEGER NOT NULL REFERENCES agreement_revisions (id),
    purpose      TEXT    NOT NULL CHECK (purpose IN ('version', 'ending')),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    content_hash TEXT    NOT NULL CHECK (length(content_hash) = 64),
    signed_at    TEXT    NOT NULL,
    -- The record's fingerprint at signing: the signature's own entry.
    record_seq   INTEGER NOT NULL,
    record_hash  TEXT    NOT NULL,
    cleared_at   TEXT
) STRICT;
CREATE INDEX agreement_signatures_by_revision ON agreement_signatures (revision_id, purpose);
-- One live signature per person, revision and purpose.
CREATE UNIQUE INDEX agreement_signatures_once
    ON agreement_signatures (revision_id, purpose, person_id) WHERE cleared_at IS NULL;

-- Versions: revisions both signed. Version N of an agreement is unique, and
-- so is the revision behind it: two simultaneous last signatures cannot make
-- two versions.
CREATE TABLE agreement_versions (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    number       INTEGER NOT NULL CHECK (number >= 1),
    revision_id  INTEGER NOT NULL UNIQUE REFERENCES agreement_revisions (id),
    activated_at TEXT    NOT NULL,
    -- Version N stops being in force when N+1 is signed, or when it ends.
    superseded_at TEXT,
    record_seq   INTEGER NOT NULL,
    record_hash  TEXT    NOT NULL,
    PRIMARY KEY (agreement_id, number)
) STRICT;

-- Which revision each person last saw, to show them what changed since.
-- Operational, not on the record.
CREATE TABLE agreement_seen (
    agreement_id INTEGER NOT NULL REFERENCES agreements (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    revision_id  INTEGER NOT NULL REFERENCES agreement_revisions (id),
    PRIMARY KEY (agreement_id, person_id)
) STRICT;

-- Commitments of signed versions. A draft's commitments live only in its
-- revisions; a row here exists once a version with it is in force. One
-- carried into a later version keeps its row (its identity and history).
CREATE TABLE commitments (
    id            INTEGER PRIMARY KEY,
    agreement_id  INTEGER NOT NULL REFERENCES agreements (id),
    owner_id      INTEGER NOT NULL REFERENCES people (id),
    text          TEXT    NOT NULL,
    -- JSON, see src/commitments/schedule.rs.
    schedule      TEXT    NOT NULL,
    -- The first version it belongs to, and the day (pair's zone) that began.
    since_version INTEGER NOT NULL,
    in_force_from TEXT    NOT NULL,
    -- Set when a version without it is signed, or the agreement ends.
    until_version INTEGER,
    in_force_until TEXT,
    created_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX commitments_by_agreement ON commitments (agreement_id, id);

-- The terms of each commitment in each version it belongs to; `changed`
-- marks a version whose terms differ from the one before.
CREATE TABLE commitment_terms (
    commitment_id INTEGER NOT NULL REFERENCES commitments (id),
    version       INTEGER NOT NULL,
    owner_id      INTEGER NOT NULL REFERENCES people (id),
    text          TEXT    NOT NULL,
    schedule      TEXT    NOT NULL,
    changed       INTEGER NOT NULL CHECK (changed IN (0, 1)),
    -- The day (pair's zone) these terms took effect.
    effective_from TEXT   NOT NULL,
    PRIMARY KEY (commitment_id, version)
) STRICT;

-- What was recorded about a commitment: kept (by its owner), broken (by its
-- owner, self-reported; or observed by the other person), or "still keeping
-- this" for a standing one. Never changed: answers are rows of
-- `commitment_answers`, a correction is a new record pointing at the old.
CREATE TABLE commitment_records (
    id            INTEGER PRIMARY KEY,
    commitment_id INTEGER NOT NULL REFERENCES commitments (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('kept', 'broken', 'still_keeping')),
    -- The day it is about (YYYY-MM-DD, the pair's zone).
    day           TEXT    NOT NULL,
    recorded_by   INTEGER NOT NULL REFERENCES people (id),
    -- 1 when the owner recorded their own break.
    self_reported INTEGER NOT NULL CHECK (self_reported IN (0, 1)),
    note          TEXT    NOT NULL DEFAULT '',
    corrects      INTEGER REFERENCES commitment_records (id),
    created_at    TEXT    NOT NULL,
    record_seq    INTEGER NOT NULL
) STRICT;
CREATE INDEX commitment_records_by_day ON commitment_records (commitment_id, day);
CREATE INDEX commitment_records_by_time ON commitment_records (created_at);
CREATE UNIQUE INDEX commitment_records_corrected_once ON commitment_records (corrects)
    WHERE corrects IS NOT NULL;

CREATE TRIGGER commitment_records_refuse_update BEFORE UPDATE ON commitment_records
BEGIN
    SELECT RAISE(ABORT, 'commitment records cannot be changed');
END;

-- Answers to a record: confirmed, disputed, acknowledged, dispute_withdrawn,
-- dispute_accepted (the record's author accepts the dispute).
CREATE TABLE commitment_answers (
    id         INTEGER PRIMARY KEY,
    record_id  INTEGER NOT NULL REFERENCES commitment_records (id),
    kind       TEXT    NOT NULL CHECK (kind IN
                   ('confirmed', 'disputed', 'acknowledged', 'dispute_withdrawn', 'dispute_accepted')),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    note       TEXT    NOT NULL DEFAULT '',
    created_at TEXT    NOT NULL
) STRICT;
CREATE INDEX commitment_answers_by_record ON commitment_answers (record_id, id);
CREATE INDEX commitment_answers_by_kind ON commitment_answers (kind, record_id);

-- Pattern flags: a second counted break of one commitment within 30 days.
CREATE TABLE commitment_patterns (
    commitment_id INTEGER NOT NULL REFERENCES commitments (id),
    record_id     INTEGER NOT NULL REFERENCES commitment_records (id),
    earlier_id    INTEGER NOT NULL REFERENCES commitment_records (id),
    flagged_at    TEXT    NOT NULL,
    PRIMARY KEY (record_id)
) STRICT;
