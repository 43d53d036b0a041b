-- The markers of kannel_dst_rotation_events.sql's lines, re-timed alike.
UPDATE log_markers
SET logged_at = logged_at + INTERVAL 1 HOUR
WHERE list_contains($load_ids, load_id) AND logged_at >= $hour AND logged_at < $hour + INTERVAL 1 HOUR
