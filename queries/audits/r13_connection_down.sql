-- R13 SLA: the gateway's own downtime per connection: the stretches of each log's downtime
-- (r13_downtime.sql) in which no log carrying the connection's lines was up. Two gateways
-- writing the same smsc-id (an HA pair, one log each): while one restarts the other watches
-- the link, logs its failures and successes; the connection is down only while neither
-- logs (a session-33 probe: the running gateway's incident was cut and its observed time
-- reduced by the other's restart). A log is up from its first line or marker to its last,
-- less its own downtime. One row per piece of a log's downtime left so, with that
-- downtime's provenance (two logs down at once give the same piece twice). A temporary
-- table macro that r13_gateway_down.sql, r13_incidents.sql and r13_receipt_stalls.sql read;
-- sla.py defines it (after r13_downtime) on the connection first.
CREATE OR REPLACE TEMP MACRO r13_connection_down(reopen_seconds) AS TABLE
WITH names AS (
    -- a load's log (log_id) and the rotated files of that log (log_name), whatever folder
    -- each load was read from
    SELECT load_id, log_id, log_name FROM log_of_load()   -- queries/reports/log_of_load.sql
),

connection_logs AS (
    SELECT DISTINCT e.smsc, n.log_name
    FROM (SELECT DISTINCT smsc, load_id FROM events WHERE smsc IS NOT NULL AND smsc <> '') AS e
    JOIN names AS n USING (load_id)
),

down AS (
    SELECT d.*
    FROM r13_downtime(reopen_seconds) AS d
    WHERE d.log_name IN (SELECT log_name FROM connection_logs)
),

watching AS (
    -- the logs that share a connection with a log that was down (none: nothing to read)
    SELECT DISTINCT b.log_name
    FROM connection_logs AS a
    JOIN connection_logs AS b USING (smsc)
    WHERE a.log_name IN (SELECT log_name FROM down)
),

stamps AS (
    SELECT load_id, logged_at FROM events WHERE logged_at IS NOT NULL
    UNION ALL
    SELECT load_id, logged_at FROM log_markers WHERE marker IN ('begins', 'ends') AND logged_at IS NOT NULL
),

spans AS (
    SELECT n.log_name, min(s.logged_at) AS first_at, max(s.logged_at) AS last_at
    FROM stamps AS s
    JOIN names AS n USING (load_id)
    WHERE n.log_name IN (SELECT log_name FROM watching)
    GROUP BY n.log_name
),

ups AS (
    -- each log up: its span less its downtime (up to each stop from the restart before it)
    SELECT s.log_name,
           greatest(s.first_at, coalesce(max(d.down_to) OVER (
               PARTITION BY d.log_name ORDER BY d.down_from, d.down_to
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), s.first_at)) AS up_from,
           d.down_from AS up_to
    FROM down AS d
    JOIN spans AS s USING (log_name)
    UNION ALL
    SELECT s.log_name, greatest(s.first_at, coalesce(m.last_down_to, s.first_at)), s.last_at
    FROM spans AS s
    LEFT JOIN (SELECT log_name, max(down_to) AS last_down_to FROM down GROUP BY log_name) AS m USING (log_name)
),

edges AS (
    SELECT c.smsc, u.up_from AS t, 1 AS delta
    FROM ups AS u JOIN connection_logs AS c USING (log_name)
    WHERE u.up_to > u.up_from
    UNION ALL
    SELECT c.smsc, u.up_to, -1
    FROM ups AS u JOIN connection_logs AS c USING (log_name)
    WHERE u.up_to > u.up_from
),

levels AS (
    -- how many of the connection's logs are up from each instant on
    SELECT smsc, t,
           sum(delta) OVER (PARTITION BY smsc ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS up
    FROM (SELECT smsc, t, sum(delta) AS delta FROM edges GROUP BY smsc, t)
),

changes AS (
    SELECT smsc, t, up
    FROM (SELECT *, lag(up, 1, 0) OVER (PARTITION BY smsc ORDER BY t) AS up_before FROM levels)
    WHERE (up = 0) <> (up_before = 0)
),

unwatched AS (
    -- no log of the connection up: before its first log's start, between, after the last's end
    SELECT smsc, from_t, to_t
    FROM (SELECT smsc, coalesce(lag(t) OVER (PARTITION BY smsc ORDER BY t), CAST('-infinity' AS TIMESTAMPTZ)) AS from_t,
                 t AS to_t, up
          FROM changes)
    WHERE up > 0
    UNION ALL
    SELECT smsc, max(t), CAST('infinity' AS TIMESTAMPTZ)
    FROM changes
    GROUP BY smsc
)

SELECT c.smsc, greatest(d.down_from, u.from_t) AS down_from, least(d.down_to, u.to_t) AS down_to,
       d.clean, d.load_id, d.line_no, d.log_name
FROM down AS d
JOIN connection_logs AS c USING (log_name)
JOIN unwatched AS u ON u.smsc = c.smsc AND u.from_t < d.down_to AND u.to_t > d.down_from
