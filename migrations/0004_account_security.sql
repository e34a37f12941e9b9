-- Account security: recovery codes, known browsers, sign-in throttling, the
-- sign-in log and notices shown to a person at their next sign-in.
-- All of these are operational tables, not the record: what matters to the
-- other person (a reset, a password change, renewed codes) is also written to
-- the ledger, without any secret.

-- Ten one-time recovery codes per person. Codes are random (80 bits), so a
-- plain SHA-256 of the normalised code is stored, never the code itself.
CREATE TABLE recovery_codes (
    code_hash  TEXT    PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    created_at TEXT    NOT NULL,
    -- Set when the code was used; a used code never works again.
    used_at    TEXT
) STRICT;
CREATE INDEX recovery_codes_by_person ON recovery_codes (person_id, used_at);

-- Browsers that have signed in to an account before. The browser keeps a
-- long-lived random token in a cookie; only its SHA-256 is stored. A known
-- browser is exempt from the per-account and per-address slowdown (it is
-- slowed only by its own failures), so one person guessing cannot lock the
-- other out.
CREATE TABLE known_devices (
    token_hash   TEXT    NOT NULL,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    created_at   TEXT    NOT NULL,
    last_used_at TEXT    NOT NULL,
    PRIMARY KEY (token_hash, person_id)
) STRICT;

-- Failure counters for slowing down sign-in and recovery attempts. `scope`
-- says what `key` is: a lower-cased name tried, a client address, or a known
-- browser's token hash. A quiet hour forgets a counter.
CREATE TABLE signin_throttle (
    scope           TEXT    NOT NULL CHECK (scope IN ('account', 'address', 'device')),
    key             TEXT    NOT NULL,
    failures        INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at TEXT    NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX signin_throttle_by_time ON signin_throttle (last_failure_at);

-- Recent sign-ins and failures, shown to each person in settings. Rows older
-- than 90 days are pruned.
CREATE TABLE signin_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    -- The account the name matched, if any.
    person_id  INTEGER REFERENCES people (id),
    name_tried TEXT    NOT NULL,
    address    TEXT    NOT NULL,
    user_agent TEXT    NOT NULL DEFAULT '',
    outcome    TEXT    NOT NULL CHECK (outcome IN
        ('signed_in', 'wrong_password', 'wrong_recovery_code', 'slowed_down'))
) STRICT;
CREATE INDEX signin_log_by_person ON signin_log (person_id, id);
CREATE INDEX signin_log_by_time ON signin_log (at);

-- What a person is told at their next sign-in ("Your password was reset on
-- …"). Deleted once shown; the ledger keeps the lasting account.
CREATE TABLE account_notices (
    id        INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id),
    at        TEXT    NOT NULL,
    kind      TEXT    NOT NULL CHECK (kind IN
        ('password_reset_with_code', 'password_reset_with_link', 'password_changed', 'recovery_codes_renewed'))
) STRICT;
CREATE INDEX account_notices_by_person ON account_notices (person_id);
