-- Move the events of the repeated autumn hour to the instant their line order gives
-- (kannel_dst_shift.sql).
UPDATE events
SET logged_at = events.logged_at + s.shift
FROM stg_kannel_shift AS s
WHERE events.load_id = $load_id AND events.line_no = s.line_no
