-- The repeated autumn hours a Kannel load ($load_id, local time $tz) has lines in: the start
-- (UTC) of the FIRST run of each, whose second run follows one hour later
-- (kannel_dst_rotation.sql). Empty for almost every load (no autumn change in its span, or a
-- log in UTC): then nothing else is asked of the warehouse.
WITH stamped AS (
    SELECT logged_at FROM events WHERE load_id = $load_id
    UNION ALL
    SELECT logged_at FROM log_markers WHERE load_id = $load_id AND logged_at IS NOT NULL
),
bounds AS (
    SELECT date_trunc('hour', min(logged_at)) AS first_hour, max(logged_at) AS last_at FROM stamped
),
first_runs AS (
    -- every hour the load spans (a month of logs: ~720), not a scan for distinct hours
    SELECT h
    FROM (SELECT unnest(generate_series(first_hour - INTERVAL 1 HOUR, last_at, INTERVAL 1 HOUR)) AS h FROM bounds)
    WHERE timezone($tz, h) = timezone($tz, h + INTERVAL 1 HOUR)
)
SELECT h
FROM first_runs
WHERE EXISTS (SELECT 1 FROM stamped WHERE logged_at >= h AND logged_at < h + INTERVAL 2 HOUR)
ORDER BY h
