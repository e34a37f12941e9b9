-- "Is this record corrected?" is asked of every record shown, and "which
-- records are breaks?" of every trust line: both stay index searches
-- however long the history.
CREATE INDEX commitment_records_by_corrects ON commitment_records (corrects);
CREATE INDEX commitment_records_by_kind ON commitment_records (commitment_id, kind, day);
