-- From requests to commitments: a request the hurt person made on the repair
-- path, carried into an agreement draft as a commitment of the one who broke
-- trust. One request goes into one agreement. The draft's commitment keeps
-- the request's id in its revisions; once a version with it is signed by
-- both, `commitment_id` names the commitment it became, so the request links
-- to its commitment and the commitment back to its request.
CREATE TABLE request_commitments (
    request_id    INTEGER PRIMARY KEY REFERENCES repair_requests (id),
    agreement_id  INTEGER NOT NULL REFERENCES agreements (id),
    -- The revision that first carried it.
    revision_id   INTEGER NOT NULL REFERENCES agreement_revisions (id),
    -- The commitment it became (NULL until a version with it is signed).
    commitment_id INTEGER REFERENCES commitments (id),
    carried_by    INTEGER NOT NULL REFERENCES people (id),
    carried_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX request_commitments_by_agreement ON request_commitments (agreement_id);
CREATE INDEX request_commitments_by_commitment ON request_commitments (commitment_id);
