-- The repair path of a breach: naming it, understanding it, apologising,
-- asking what would help, and both committing to repair. Every row here is
-- written in the same transaction as the record entry that describes it
-- (src/repair/), so these tables are fast reads of what the record says.
-- Roles belong to a breach: `broke_trust` names one of the two people; the
-- other one is the person who was hurt.

CREATE TABLE breaches (
    id            INTEGER PRIMARY KEY,
    title         TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    what_happened TEXT    NOT NULL CHECK (length(what_happened) BETWEEN 1 AND 20000),
    -- A calendar date, YYYY-MM-DD, in the pair's zone.
    happened_on   TEXT    NOT NULL CHECK (length(happened_on) = 10),
    -- 'lapse': a slip such as a forgotten promise; 'serious': a lie,
    -- concealment, infidelity or the like.
    seriousness   TEXT    NOT NULL CHECK (seriousness IN ('lapse', 'serious')),
    broke_trust   INTEGER NOT NULL REFERENCES people (id),
    recorded_by   INTEGER NOT NULL REFERENCES people (id),
    -- Owning up first, which is never claimed for someone else:
    -- 'not_claimed'  nobody said this was a first telling;
    -- 'claimed'      the one who broke trust recorded it and said they are
    --                telling the other for the first time; waiting for them;
    -- 'confirmed'    the other confirmed it (only this shows as self-disclosed);
    -- 'already_knew' the other answered that they already knew.
    self_disclosure TEXT  NOT NULL DEFAULT 'not_claimed'
        CHECK (self_disclosure IN ('not_claimed', 'claimed', 'confirmed', 'already_knew')),
    disclosure_answered_at TEXT,
    created_at    TEXT    NOT NULL,
    -- A first telling can only be claimed by the one who broke trust.
    CHECK (self_disclosure = 'not_claimed' OR recorded_by = broke_trust)
) STRICT;
CREATE INDEX breaches_by_created ON breaches (created_at);

-- "I see it differently": the account of the person named as having broken
-- trust, when the other person recorded the breach. Both accounts stay.
CREATE TABLE breach_other_views (
    breach_id  INTEGER PRIMARY KEY REFERENCES breaches (id),
    written_by INTEGER NOT NULL REFERENCES people (id),
    text       TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 20000),
    created_at TEXT    NOT NULL
) STRICT;

-- Understanding, part one: how it affected the person who was hurt.
CREATE TABLE breach_impacts (
    breach_id  INTEGER PRIMARY KEY REFERENCES breaches (id),
    written_by INTEGER NOT NULL REFERENCES people (id),
    text       TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 20000),
    created_at TEXT    NOT NULL
) STRICT;

-- Understanding, the rounds: what the one who broke trust did and why, how
-- they understand the other felt, and the answer ("yes, you understand" or
-- "not yet" with a note). A new round follows a "not yet"; all stay.
CREATE TABLE understanding_rounds (
    id             INTEGER PRIMARY KEY,
    breach_id      INTEGER NOT NULL REFERENCES breaches (id),
    round          INTEGER NOT NULL CHECK (round >= 1),
    written_by     INTEGER NOT NULL REFERENCES people (id),
    what_and_why   TEXT    NOT NULL CHECK (length(what_and_why) BETWEEN 1 AND 20000),
    their_feelings TEXT    NOT NULL CHECK (length(their_feelings) BETWEEN 1 AND 20000),
    created_at     TEXT    NOT NULL,
    answer         TEXT    CHECK (answer IN ('understood', 'not_yet')),
    answer_note    TEXT    CHECK (length(answer_note) <= 2000),
    answered_at    TEXT,
    UNIQUE (breach_id, round)
) STRICT;

-- Apologies, sent sealed. Never edited once sent; a new one can follow.
-- The three checklist answers are the writer's own ticks, not a verdict.
CREATE TABLE apologies (
    id                  INTEGER PRIMARY KEY,
    breach_id           INTEGER NOT NULL REFERENCES breaches (id),
    written_by          INTEGER NOT NULL REFERENCES people (id),
    text                TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 20000),
    took_responsibility INTEGER NOT NULL CHECK (took_responsibility IN (0, 1)),
    named_harm          INTEGER NOT NULL CHECK (named_harm IN (0, 1)),
    offered_repair      INTEGER NOT NULL CHECK (offered_repair IN (0, 1)),
    sent_at             TEXT    NOT NULL,
    opened_at           TEXT,
    answer              TEXT    CHECK (answer IN ('accepted', 'not_ready', 'in_person')),
    answer_note         TEXT    CHECK (length(answer_note) <= 2000),
    answered_at         TEXT
) STRICT;
CREATE INDEX apologies_by_breach ON apologies (breach_id, id);

-- "What can I do to regain your trust?", asked once per breach.
CREATE TABLE repair_asks (
    breach_id  INTEGER PRIMARY KEY REFERENCES breaches (id),
    asked_by   INTEGER NOT NULL REFERENCES people (id),
    note       TEXT    CHECK (length(note) <= 2000),
    created_at TEXT    NOT NULL
) STRICT;

-- The hurt person's answers: one short request per row. The agreements
-- feature links requests to the commitments they were carried into.
CREATE TABLE repair_requests (
    id         INTEGER PRIMARY KEY,
    breach_id  INTEGER NOT NULL REFERENCES breaches (id),
    text       TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 200),
    created_by INTEGER NOT NULL REFERENCES people (id),
    created_at TEXT    NOT NULL
) STRICT;
CREATE INDEX repair_requests_by_breach ON repair_requests (breach_id, id);

-- Committing to a period of repair. A proposal by either person begins a
-- repair only when the other confirms; they may answer "not now". Either can
-- later step away. A new proposal may follow a "not now" or a stepping away.
-- Trust levels and pauses belong to one of these rows ("per repair").
CREATE TABLE repairs (
    id            INTEGER PRIMARY KEY,
    breach_id     INTEGER NOT NULL REFERENCES breaches (id),
    -- 'proposed' → 'active' (confirmed) or 'declined' ("not now");
    -- 'active' → 'ended' (someone stepped away).
    state         TEXT    NOT NULL CHECK (state IN ('proposed', 'declined', 'active', 'ended')),
    proposed_by   INTEGER NOT NULL REFERENCES people (id),
    proposed_at   TEXT    NOT NULL,
    answered_by   INTEGER REFERENCES people (id),
    answered_at   TEXT,
    declined_note TEXT    CHECK (length(declined_note) <= 2000),
    ended_by      INTEGER REFERENCES people (id),
    ended_at      TEXT,
    ended_note    TEXT    CHECK (length(ended_note) <= 2000)
) STRICT;
CREATE INDEX repairs_by_breach ON repairs (breach_id, id);
-- At most one proposal waiting or one repair under way per breach.
CREATE UNIQUE INDEX repairs_one_open_per_breach ON repairs (breach_id)
    WHERE state IN ('proposed', 'active');

-- Where each breach stands, derived from the path's tables so it can never
-- disagree with them. 'trust_restored' is reserved for the trust feature,
-- which replaces this view (DROP VIEW + CREATE VIEW in its own migration)
-- to add its own condition first.
CREATE VIEW breach_status AS
SELECT b.id AS breach_id,
       CASE
           WHEN EXISTS (SELECT 1 FROM repairs r WHERE r.breach_id = b.id AND r.state = 'active')
               THEN 'being_repaired'
           ELSE 'open'
       END AS status
FROM breaches b;
