-- Leaving: when one person closes their account (people.closed_at), the other
-- sees a calm notice on their pages until they dismiss it. This remembers the
-- dismissal. Operational data: the closing itself is on the record
-- (`account.closed`); whether its notice was put away is not.
CREATE TABLE departure_notices_seen (
    -- The person who dismissed the notice.
    person_id  INTEGER NOT NULL REFERENCES people (id),
    -- Which closing it was about (the other person's closed_at), so a notice
    -- about a later closing would show again.
    closed_at  TEXT    NOT NULL,
    seen_at    TEXT    NOT NULL,
    PRIMARY KEY (person_id, closed_at)
) STRICT;
