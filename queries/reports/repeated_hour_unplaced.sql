-- Lines of a repeated autumn hour that the order of the logs cannot place (RULES.md, "local
-- time": resolved from the order of the log, never guessed). A Kannel log in local time reads
-- a line of the repeated hour as its first run until a line goes back in time
-- (kannel_dst_shift.sql; across the files of a rotation, kannel_dst_rotation.sql). When no
-- log read in $tz has a line in the second run, nothing shows that the clock went back: the
-- lines read as the first run may have been written in the second one, an hour later (a
-- gateway idle through the first run, or restarted inside the second). $hour: the start (UTC)
-- of the first run (kannel_dst_rotation_hours.sql). One row: the lines (events and markers)
-- of each run, and the span and files of the first run's.
WITH readings AS (
    SELECT load_id, path
    FROM load_manifest
    WHERE state = 'loaded' AND format = 'kannel' AND log_timezone = $tz AND access_log_clean IS NOT TRUE
),
stamped AS (
    SELECT load_id, logged_at FROM events
    WHERE logged_at >= $hour AND logged_at < $hour + INTERVAL 2 HOUR
    UNION ALL
    SELECT load_id, logged_at FROM log_markers
    WHERE logged_at >= $hour AND logged_at < $hour + INTERVAL 2 HOUR
)
SELECT
    count(*) FILTER (WHERE s.logged_at < $hour + INTERVAL 1 HOUR) AS first_lines,
    count(*) FILTER (WHERE s.logged_at >= $hour + INTERVAL 1 HOUR) AS second_lines,
    min(s.logged_at) FILTER (WHERE s.logged_at < $hour + INTERVAL 1 HOUR) AS first_at,
    max(s.logged_at) FILTER (WHERE s.logged_at < $hour + INTERVAL 1 HOUR) AS last_at,
    list(DISTINCT r.path ORDER BY r.path) FILTER (WHERE s.logged_at < $hour + INTERVAL 1 HOUR) AS paths
FROM stamped AS s
JOIN readings AS r USING (load_id)
