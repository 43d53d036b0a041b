-- The first rejected lines of a load, why, and their text: the first is the example shown
-- when a whole file is refused; the texts tell an smsbox access log from a bearerbox one
-- (its first line may be a marker that a clean format does not read).
SELECT line_no, reason, raw
FROM rejected_lines
WHERE load_id = $load_id
ORDER BY line_no
LIMIT $n
