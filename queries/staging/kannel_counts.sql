-- The accounting of one Kannel load: physical lines read ($lines, counted by the line
-- reader), and where each went.
SELECT $lines::BIGINT AS lines,
       (SELECT count(*) FROM events WHERE load_id = $load_id) AS events,
       (SELECT count(*) FROM log_markers WHERE load_id = $load_id) AS markers,
       (SELECT count(*) FROM rejected_lines WHERE load_id = $load_id) AS rejected
