-- R13 SLA: when each log was up: from its first line or marker to its last (first_at, last_at:
-- its span, over its rotated files and continued loads), less its own downtime
-- (r13_downtime.sql). One row per piece (up_from, up_to; a piece may be empty: up_to <=
-- up_from). What the connections' downtime (r13_connection_down.sql: an HA partner up meanwhile
-- watches the link; between two logs of a connection, no log at all) and a report's
-- coverage (r13_unlogged.sql) read. A temporary table macro; sla.py and report/summary.py
-- define it (after log_of_load and r13_downtime) on the connection first.
CREATE OR REPLACE TEMP MACRO r13_log_ups(reopen_seconds) AS TABLE
WITH names AS (
    SELECT load_id, log_name FROM log_of_load()   -- queries/reports/log_of_load.sql
),

stamps AS (
    -- per load first (one pass over the events), then per log
    SELECT load_id, min(logged_at) AS first_at, max(logged_at) AS last_at
    FROM (SELECT load_id, logged_at FROM events WHERE logged_at IS NOT NULL
          UNION ALL
          SELECT load_id, logged_at FROM log_markers
          WHERE marker IN ('begins', 'ends') AND logged_at IS NOT NULL)
    GROUP BY load_id
),

spans AS (
    SELECT n.log_name, min(s.first_at) AS first_at, max(s.last_at) AS last_at
    FROM stamps AS s
    JOIN names AS n USING (load_id)
    GROUP BY n.log_name
),

down AS (
    SELECT log_name, down_from, down_to FROM r13_downtime(reopen_seconds)
)

-- up to each stop from the restart before it, then from the last restart to the log's end
SELECT s.log_name, s.first_at, s.last_at,
       greatest(s.first_at, coalesce(max(d.down_to) OVER (
           PARTITION BY d.log_name ORDER BY d.down_from, d.down_to
           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), s.first_at)) AS up_from,
       d.down_from AS up_to
FROM down AS d
JOIN spans AS s USING (log_name)
UNION ALL
SELECT s.log_name, s.first_at, s.last_at, greatest(s.first_at, coalesce(m.last_down_to, s.first_at)), s.last_at
FROM spans AS s
LEFT JOIN (SELECT log_name, max(down_to) AS last_down_to FROM down GROUP BY log_name) AS m USING (log_name)
