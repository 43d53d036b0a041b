-- Re-time the lines of the loads $load_ids read in the FIRST run of the repeated hour
-- starting at $hour as the SECOND run (+1 h): kannel_dst_rotation.sql found that they come
-- after lines of that hour in another file of the log.
UPDATE events
SET logged_at = logged_at + INTERVAL 1 HOUR
WHERE list_contains($load_ids, load_id) AND logged_at >= $hour AND logged_at < $hour + INTERVAL 1 HOUR
