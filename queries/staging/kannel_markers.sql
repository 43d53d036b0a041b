-- Kannel access log: `Log begins` / `Log ends` lines go to log_markers, not events.
INSERT INTO log_markers (load_id, line_no, logged_at, marker)
SELECT $load_id, line_no, logged_at, marker
FROM stg_kannel_slow
WHERE state = 'marker'
