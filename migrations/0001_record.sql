-- The record: an append-only, hash-chained log of everything either person
-- relies on. Each row's hash covers every other column (see src/ledger/chain.rs);
-- the body is stored as the exact bytes that were hashed.
CREATE TABLE ledger (
    seq       INTEGER PRIMARY KEY CHECK (seq >= 1),
    -- UTC, fixed width (2026-01-31T09:00:00.000000Z), so text order is time order.
    at        TEXT    NOT NULL CHECK (length(at) = 27),
    -- The person who acted; NULL for entries the server writes itself.
    author    INTEGER,
    kind      TEXT    NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
    -- What the entry is about, e.g. 'breach/3'; pages link to it.
    subject   TEXT    NOT NULL,
    body      BLOB    NOT NULL,
    prev_hash TEXT    NOT NULL CHECK (length(prev_hash) = 64),
    hash      TEXT    NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;

-- Pages find everything said about one thing, and the timeline filters by
-- person and kind, without scanning the whole record.
CREATE INDEX ledger_by_subject ON ledger (subject, seq);
CREATE INDEX ledger_by_author ON ledger (author, seq);
CREATE INDEX ledger_by_kind ON ledger (kind, seq);

-- Nothing in the record is ever changed or removed: a correction is a new
-- entry pointing at the old one.
CREATE TRIGGER ledger_refuses_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the record is append-only: entries cannot be changed');
END;

CREATE TRIGGER ledger_refuses_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the record is append-only: entries cannot be removed');
END;
