-- Rows read, loaded and refused: lines = events + rejected (no markers in canonical input).
SELECT
    count(*) AS lines,
    count(*) FILTER (WHERE reason IS NULL) AS events,
    count(*) FILTER (WHERE reason IS NOT NULL) AS rejected
FROM canonical_checked
