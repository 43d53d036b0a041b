-- The first rejected line of a load and why: the example shown when a whole file is refused.
SELECT line_no, reason
FROM rejected_lines
WHERE load_id = $load_id
ORDER BY line_no
LIMIT 1
