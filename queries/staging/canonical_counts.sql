-- Rows read, loaded and refused: lines = events + rejected (no markers in canonical input);
-- naive: loaded rows whose logged_at has no offset (read as UTC), for ingest's warning.
SELECT
    count(*) AS lines,
    count(*) FILTER (WHERE reason IS NULL) AS events,
    count(*) FILTER (WHERE reason IS NOT NULL) AS rejected,
    count(*) FILTER (WHERE reason IS NULL AND naive_time) AS naive
FROM canonical_checked
