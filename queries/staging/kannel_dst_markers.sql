-- Move the markers of the repeated autumn hour to the instant their line order gives
-- (kannel_dst_shift.sql).
UPDATE log_markers
SET logged_at = log_markers.logged_at + s.shift
FROM stg_kannel_shift AS s
WHERE log_markers.load_id = $load_id AND log_markers.line_no = s.line_no
