-- Living with a breach: the hurt person's questions and their answers,
-- visible repair actions, trust levels (private by default), pauses of a
-- repair, and "trust restored". Every row here except the trust levels is
-- written in the same transaction as the record entry that describes it
-- (src/questions/, src/actions/, src/trust/).

-- A question the hurt person of a breach asks; the one who broke trust
-- answers it once. The answer is never edited (see the trigger below); more
-- can be said as follow-ups.
CREATE TABLE questions (
    id          INTEGER PRIMARY KEY,
    breach_id   INTEGER NOT NULL REFERENCES breaches (id),
    asked_by    INTEGER NOT NULL REFERENCES people (id),
    text        TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    asked_at    TEXT    NOT NULL CHECK (length(asked_at) = 27),
    answered_by INTEGER REFERENCES people (id),
    answer      TEXT    CHECK (length(answer) BETWEEN 1 AND 2000),
    answered_at TEXT    CHECK (length(answered_at) = 27),
    CHECK ((answer IS NULL) = (answered_at IS NULL)),
    CHECK ((answer IS NULL) = (answered_by IS NULL))
) STRICT;
CREATE INDEX questions_by_breach ON questions (breach_id, id);
-- Unanswered questions, oldest first, for Today and the check-in agenda:
-- one seek however many answered questions there are.
CREATE INDEX questions_unanswered ON questions (asked_at, id) WHERE answer IS NULL;
-- The overall list, newest first, paged by id.
CREATE INDEX questions_by_id_answered ON questions (id, answer);

CREATE TRIGGER questions_answer_never_edited
BEFORE UPDATE ON questions
WHEN OLD.answer IS NOT NULL
   OR NEW.text IS NOT OLD.text
   OR NEW.asked_by IS NOT OLD.asked_by
   OR NEW.breach_id IS NOT OLD.breach_id
BEGIN
    SELECT RAISE(ABORT, 'a question and its answer are never edited');
END;

-- Follow-ups to an answered question, by either person, in order.
CREATE TABLE question_follow_ups (
    id          INTEGER PRIMARY KEY,
    question_id INTEGER NOT NULL REFERENCES questions (id),
    written_by  INTEGER NOT NULL REFERENCES people (id),
    text        TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    written_at  TEXT    NOT NULL CHECK (length(written_at) = 27)
) STRICT;
CREATE INDEX question_follow_ups_in_order ON question_follow_ups (question_id, id);

-- Something the one who broke trust did to repair it, for the other to see.
-- "I saw this" (with an optional word) is written once, by the other person.
CREATE TABLE repair_actions (
    id            INTEGER PRIMARY KEY,
    breach_id     INTEGER NOT NULL REFERENCES breaches (id),
    logged_by     INTEGER NOT NULL REFERENCES people (id),
    what          TEXT    NOT NULL CHECK (length(what) BETWEEN 1 AND 2000),
    -- The day it was done, YYYY-MM-DD in the pair's zone (never in the future).
    done_on       TEXT    NOT NULL CHECK (length(done_on) = 10),
    -- Optionally, the hurt person's request it serves.
    request_id    INTEGER REFERENCES repair_requests (id),
    -- Reserved for the commitments feature: the commitment this action
    -- serves. No foreign key yet, because the commitments table is written
    -- on another branch; the agreements work wires it (and its form field).
    commitment_id INTEGER,
    logged_at     TEXT    NOT NULL CHECK (length(logged_at) = 27),
    seen_by       INTEGER REFERENCES people (id),
    seen_word     TEXT    CHECK (length(seen_word) BETWEEN 1 AND 2000),
    seen_at       TEXT    CHECK (length(seen_at) = 27),
    CHECK ((seen_at IS NULL) = (seen_by IS NULL)),
    CHECK (seen_word IS NULL OR seen_at IS NOT NULL)
) STRICT;
CREATE INDEX repair_actions_by_breach ON repair_actions (breach_id, id);
CREATE INDEX repair_actions_unseen ON repair_actions (id) WHERE seen_at IS NULL;

-- Trust levels: the hurt person's own word, 0 to 10, with an optional note.
-- Operational data owned by that person, deliberately NOT on the record:
-- every record entry is visible to both people and goes into both copies,
-- and these are private unless their owner shares them. Only
-- `trust.sharing_changed` (shared or not, never a value) is recorded.
CREATE TABLE trust_levels (
    id          INTEGER PRIMARY KEY,
    breach_id   INTEGER NOT NULL REFERENCES breaches (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    level       INTEGER NOT NULL CHECK (level BETWEEN 0 AND 10),
    note        TEXT    CHECK (length(note) BETWEEN 1 AND 2000),
    -- The day it was recorded, YYYY-MM-DD in the pair's zone.
    recorded_on TEXT    NOT NULL CHECK (length(recorded_on) = 10),
    recorded_at TEXT    NOT NULL CHECK (length(recorded_at) = 27)
) STRICT;
CREATE INDEX trust_levels_by_breach ON trust_levels (breach_id, recorded_on, id);

-- Whether the hurt person shares their trust levels of a breach with the
-- other person. No row means not shared. Changed with `trust.sharing_changed`.
CREATE TABLE trust_sharing (
    breach_id  INTEGER PRIMARY KEY REFERENCES breaches (id),
    person_id  INTEGER NOT NULL REFERENCES people (id),
    shared     INTEGER NOT NULL CHECK (shared IN (0, 1)),
    changed_at TEXT    NOT NULL CHECK (length(changed_at) = 27)
) STRICT;

-- The one who broke trust asks for a pause; the hurt person accepts or
-- declines. At most one request waits per breach.
CREATE TABLE pause_requests (
    id           INTEGER PRIMARY KEY,
    breach_id    INTEGER NOT NULL REFERENCES breaches (id),
    requested_by INTEGER NOT NULL REFERENCES people (id),
    reason       TEXT    CHECK (length(reason) BETWEEN 1 AND 2000),
    requested_at TEXT    NOT NULL CHECK (length(requested_at) = 27),
    answer       TEXT    CHECK (answer IN ('accepted', 'declined')),
    answer_note  TEXT    CHECK (length(answer_note) BETWEEN 1 AND 2000),
    answered_at  TEXT    CHECK (length(answered_at) = 27),
    CHECK ((answer IS NULL) = (answered_at IS NULL))
) STRICT;
CREATE INDEX pause_requests_by_breach ON pause_requests (breach_id, id);
CREATE UNIQUE INDEX pause_requests_one_waiting ON pause_requests (breach_id)
    WHERE answer IS NULL;

-- A pause of a breach's repair, started by the hurt person (directly or by
-- accepting a request) and resumed by them. `from_date` is the first paused
-- day and `until_date` the resume day (exclusive), both in the pair's zone
-- when they were recorded, so the days a pause covers never shift later.
CREATE TABLE pauses (
    id         INTEGER PRIMARY KEY,
    breach_id  INTEGER NOT NULL REFERENCES breaches (id),
    started_by INTEGER NOT NULL REFERENCES people (id),
    reason     TEXT    CHECK (length(reason) BETWEEN 1 AND 2000),
    request_id INTEGER REFERENCES pause_requests (id),
    started_at TEXT    NOT NULL CHECK (length(started_at) = 27),
    from_date  TEXT    NOT NULL CHECK (length(from_date) = 10),
    resumed_by INTEGER REFERENCES people (id),
    resumed_at TEXT    CHECK (length(resumed_at) = 27),
    until_date TEXT    CHECK (length(until_date) = 10),
    CHECK ((resumed_at IS NULL) = (until_date IS NULL)),
    CHECK (until_date IS NULL OR until_date >= from_date)
) STRICT;
CREATE INDEX pauses_by_breach ON pauses (breach_id, id);
CREATE UNIQUE INDEX pauses_one_open ON pauses (breach_id) WHERE resumed_at IS NULL;

-- "Trust restored", declared by the hurt person, and possibly taken back.
-- A new declaration may follow a withdrawn one; all stay.
CREATE TABLE trust_restorations (
    id             INTEGER PRIMARY KEY,
    breach_id      INTEGER NOT NULL REFERENCES breaches (id),
    declared_by    INTEGER NOT NULL REFERENCES people (id),
    note           TEXT    CHECK (length(note) BETWEEN 1 AND 2000),
    declared_at    TEXT    NOT NULL CHECK (length(declared_at) = 27),
    withdrawn_at   TEXT    CHECK (length(withdrawn_at) = 27),
    withdrawn_note TEXT    CHECK (length(withdrawn_note) BETWEEN 1 AND 2000),
    CHECK (withdrawn_note IS NULL OR withdrawn_at IS NOT NULL)
) STRICT;
CREATE INDEX trust_restorations_by_breach ON trust_restorations (breach_id, id);
CREATE UNIQUE INDEX trust_restorations_one_current ON trust_restorations (breach_id)
    WHERE withdrawn_at IS NULL;

-- Apologies waiting for an answer, for the check-in agenda: one seek.
CREATE INDEX apologies_unanswered ON apologies (sent_at, id) WHERE answer IS NULL;

-- Where each breach stands, now with "trust restored" first: the hurt
-- person's word outranks everything else. Replaces the view of 0005.
DROP VIEW breach_status;
CREATE VIEW breach_status AS
SELECT b.id AS breach_id,
       CASE
           WHEN EXISTS (SELECT 1 FROM trust_restorations t
                        WHERE t.breach_id = b.id AND t.withdrawn_at IS NULL)
               THEN 'trust_restored'
           WHEN EXISTS (SELECT 1 FROM repairs r WHERE r.breach_id = b.id AND r.state = 'active')
               THEN 'being_repaired'
           ELSE 'open'
       END AS status
FROM breaches b;
