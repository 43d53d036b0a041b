-- R13 SLA: the time no log watched each connection. The gateway's own downtime: the stretches
-- of each log's downtime (r13_downtime.sql) in which no log carrying the connection's lines
-- was up. Two gateways writing the same smsc-id (an HA pair, one log each): while one restarts
-- the other watches the link, logs its failures and successes; the connection is down only
-- while neither logs (a session-33 probe: the running gateway's incident was cut and its
-- observed time reduced by the other's restart). A log is up from its first line or marker to
-- its last, less its own downtime (r13_log_ups.sql). One row per piece of a log's downtime
-- left so, with that downtime's provenance (two logs down at once give the same piece twice),
-- `no_log` false. And the stretches between the connection's logs that no log covers at all
-- (`no_log` true, no provenance, `clean` null): separate files that are no rotation of one log
-- (access-m03.log, access-m09.log), months apart, say nothing of a stop, only that nothing was
-- logged (a session-35 probe: the months between them read as observed and kept, while the same
-- files named access.log.3 .. access.log gave the gateway's restart). No observed time either;
-- more than reopen_seconds apart, as a `Log begins` after its `Log ends` (files a second apart
-- are a rotation). Before the connection's first log and after its last, the stretches in
-- which no log at all (of any connection) was up, `no_log` true as well. A temporary table macro that r13_gateway_down.sql (no_log false),
-- r13_unobserved.sql, r13_incidents.sql and r13_receipt_stalls.sql read; sla.py defines it
-- (after r13_log_ups) on the connection first.
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

ups AS (
    SELECT log_name, first_at, last_at, up_from, up_to FROM r13_log_ups(reopen_seconds)
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
),

unlogged AS (
    -- no log of the connection at all: a log's start after every span before it had ended
    SELECT smsc, reach AS down_from, first_at AS down_to
    FROM (SELECT c.smsc, s.first_at,
                 max(s.last_at) OVER (PARTITION BY c.smsc ORDER BY s.first_at, s.last_at
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
          FROM (SELECT DISTINCT log_name, first_at, last_at FROM ups) AS s
          JOIN connection_logs AS c USING (log_name))
    WHERE first_at - reach > to_seconds(reopen_seconds)
),

no_log_at_all AS (
    -- no log at all up, of any connection (r13_unlogged.sql's stretches): the logs of one
    -- connection say nothing of the time before its first or after its last, but when no log
    -- was up then, nothing watched it either (a session-35 probe: a connection seen only in the
    -- Oct/Nov file read April-August observed and kept, the others `no log`)
    SELECT reach AS gap_from, up_from AS gap_to
    FROM (SELECT up_from, max(up_to) OVER (ORDER BY up_from, up_to
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
          FROM ups WHERE up_to > up_from)
    WHERE up_from - reach > to_seconds(reopen_seconds)
),

reaches AS (
    SELECT c.smsc, min(s.first_at) AS first_at, max(s.last_at) AS last_at
    FROM (SELECT DISTINCT log_name, first_at, last_at FROM ups) AS s
    JOIN connection_logs AS c USING (log_name)
    GROUP BY c.smsc
),

outside AS (
    -- only the parts before the connection's first log or after its last: within them
    -- `unlogged` and the logs' own downtime (an HA partner down at once) already hold it
    SELECT r.smsc, g.gap_from AS down_from, least(g.gap_to, r.first_at) AS down_to
    FROM no_log_at_all AS g JOIN reaches AS r ON g.gap_from < r.first_at
    UNION ALL
    SELECT r.smsc, greatest(g.gap_from, r.last_at), g.gap_to
    FROM no_log_at_all AS g JOIN reaches AS r ON g.gap_to > r.last_at
)

SELECT c.smsc, greatest(d.down_from, u.from_t) AS down_from, least(d.down_to, u.to_t) AS down_to,
       d.clean, d.load_id, d.line_no, d.log_name, false AS no_log
FROM down AS d
JOIN connection_logs AS c USING (log_name)
JOIN unwatched AS u ON u.smsc = c.smsc AND u.from_t < d.down_to AND u.to_t > d.down_from
UNION ALL
SELECT smsc, down_from, down_to, CAST(NULL AS BOOLEAN), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
       CAST(NULL AS VARCHAR), true
FROM unlogged
UNION ALL
SELECT smsc, down_from, down_to, CAST(NULL AS BOOLEAN), CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
       CAST(NULL AS VARCHAR), true
FROM outside
