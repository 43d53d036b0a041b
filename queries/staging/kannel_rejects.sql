-- Kannel access log: every line that is neither an event nor a marker, verbatim, with why.
INSERT INTO rejected_lines (load_id, line_no, raw, reason)
SELECT $load_id, line_no, coalesce(line, ''), reason
FROM stg_kannel_slow
WHERE state = 'reject'
