-- Living it: changes either person noticed, check-ins and their agreed rhythm,
-- and the indexes that keep the timeline fast with years of history.

-- The timeline's period filter: times never go backwards along the chain, so
-- the first entry at or after a day's start is found by one seek here, and a
-- period becomes a range of entry numbers.
CREATE INDEX ledger_by_at ON ledger (at);

-- The timeline filtered by person and kind together: one person's entries of
-- one kind, newest first, without reading the other person's.
CREATE INDEX ledger_by_author_kind ON ledger (author, kind, seq);

-- Corrections: an entry whose body says "corrects": SEQ is shown next to the
-- entry it corrects, and that entry links to it. This finds, for a page of
-- entries, the later entries that correct them. A body that is not valid JSON
-- (which the app never writes) simply has no value here.
CREATE INDEX ledger_by_corrects ON ledger (
    (CASE WHEN json_valid(CAST(body AS TEXT))
          THEN json_extract(CAST(body AS TEXT), '$.corrects') END)
);

-- A good change one person noticed in the other. Written once, never edited;
-- the record's `noticed.written` entry carries the same text.
CREATE TABLE noticed (
    id          INTEGER PRIMARY KEY,
    author      INTEGER NOT NULL REFERENCES people (id),
    -- The other person: whom the change was noticed in.
    about       INTEGER NOT NULL REFERENCES people (id) CHECK (about <> author),
    text        TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    -- The day it happened, YYYY-MM-DD in the pair's zone.
    happened_on TEXT    NOT NULL CHECK (length(happened_on) = 10),
    written_at  TEXT    NOT NULL CHECK (length(written_at) = 27)
) STRICT;

-- How often the pair holds a check-in. One person proposes, the other agrees
-- or declines. At most one proposal is open and one rhythm agreed at a time.
CREATE TABLE checkin_rhythms (
    id           INTEGER PRIMARY KEY,
    proposed_by  INTEGER NOT NULL REFERENCES people (id),
    -- 'week': every week on `weekday`; 'two_weeks': every other week on
    -- `weekday`; 'month': every month on `day_of_month` (or its last day).
    every        TEXT    NOT NULL CHECK (every IN ('week', 'two_weeks', 'month')),
    weekday      TEXT    CHECK (weekday IN ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')),
    day_of_month INTEGER CHECK (day_of_month BETWEEN 1 AND 31),
    state        TEXT    NOT NULL CHECK (state IN ('proposed', 'agreed', 'declined', 'withdrawn', 'replaced')),
    proposed_at  TEXT    NOT NULL,
    answered_by  INTEGER REFERENCES people (id),
    answered_at  TEXT,
    -- Set when agreed: the rhythm's first check-in falls on or after this day.
    starts_on    TEXT    CHECK (starts_on IS NULL OR length(starts_on) = 10),
    CHECK ((every = 'month') = (day_of_month IS NOT NULL)),
    CHECK ((every <> 'month') = (weekday IS NOT NULL)),
    CHECK ((state = 'agreed') <= (starts_on IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX checkin_rhythms_one_open ON checkin_rhythms (state) WHERE state = 'proposed';
CREATE UNIQUE INDEX checkin_rhythms_one_agreed ON checkin_rhythms (state) WHERE state = 'agreed';

-- A check-in that took place: its day, the shared notes, and the agenda as it
-- stood (a JSON list of what there was to talk about).
CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    held_on     TEXT    NOT NULL CHECK (length(held_on) = 10),
    notes       TEXT    NOT NULL DEFAULT '' CHECK (length(notes) <= 20000),
    agenda      TEXT    NOT NULL DEFAULT '[]',
    recorded_by INTEGER NOT NULL REFERENCES people (id),
    recorded_at TEXT    NOT NULL CHECK (length(recorded_at) = 27)
) STRICT;
-- The latest check-in (for the next due date) by one seek.
CREATE INDEX checkins_by_day ON checkins (held_on, id);

-- How each person felt at a check-in: one line each, written by themselves,
-- possibly later than the check-in was recorded.
CREATE TABLE checkin_feelings (
    checkin_id INTEGER NOT NULL REFERENCES checkins (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    feeling    TEXT    NOT NULL CHECK (length(feeling) BETWEEN 1 AND 2000),
    written_at TEXT    NOT NULL CHECK (length(written_at) = 27),
    PRIMARY KEY (checkin_id, person_id)
) STRICT;
