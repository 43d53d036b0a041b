-- The accounting of one Kannel load: physical lines read, and where each went.
SELECT (SELECT count(*) FROM stg_kannel_raw) AS lines,
       (SELECT count(*) FROM events WHERE load_id = $load_id) AS events,
       (SELECT count(*) FROM log_markers WHERE load_id = $load_id) AS markers,
       (SELECT count(*) FROM rejected_lines WHERE load_id = $load_id) AS rejected
