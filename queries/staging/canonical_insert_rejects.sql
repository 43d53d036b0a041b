-- Refused canonical rows -> rejected_lines, the row as JSON, with its reason.
INSERT INTO rejected_lines (load_id, line_no, raw, reason)
SELECT $load_id, row_no, raw, 'row ' || row_no || ': ' || reason
FROM canonical_checked
WHERE reason IS NOT NULL
ORDER BY row_no
