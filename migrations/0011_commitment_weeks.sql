-- Kept / broken / unrecorded counts of one commitment in one completed week
-- (Monday to Sunday in the pair's zone), so Today's chart and "since the
-- last break" never re-read the whole history. A cache derived from the
-- commitment records (operational, not on the record): a row is written
-- only once nothing in its week can still change with time alone, and is
-- deleted whenever a record or an answer about a day of that week is
-- written, so it is recomputed on the next read.
CREATE TABLE commitment_weeks (
    commitment_id INTEGER NOT NULL REFERENCES commitments (id),
    week_start    TEXT    NOT NULL,
    kept          INTEGER NOT NULL CHECK (kept >= 0),
    broken        INTEGER NOT NULL CHECK (broken >= 0),
    unrecorded    INTEGER NOT NULL CHECK (unrecorded >= 0),
    PRIMARY KEY (commitment_id, week_start)
) STRICT, WITHOUT ROWID;

CREATE INDEX commitment_weeks_by_week ON commitment_weeks (week_start);
