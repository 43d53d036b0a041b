-- R13 SLA: when the gateway itself was down, per log: from its stop to its `Log begins`. The
-- log proves nothing of any link in that time (KANNEL.md, markers): an incident is cut there
-- and it is no observed time, for the connections no other log watched meanwhile
-- (r13_connection_down.sql). A temporary table macro that r13_connection_down.sql reads;
-- sla.py defines it (and log_of_load, from queries/reports/log_of_load.sql) on the
-- connection first.
-- Each `Log begins` but a log's first is a restart, its markers read as
-- queries/reports/log_restarts.sql reads them (the same log across its loads and rotated
-- files, whatever order they were loaded in and whatever folder each was read from (`names`
-- below); a restart appended to a line a crash cut):
--   - after a `Log ends` (the marker before it in the same log, or for a file's first line
--     the last marker of the file rotated before it): down from that `Log ends`; a
--     `Log begins` at most `reopen_seconds` after it is a log reopen (a rotation), no downtime;
--   - after a crash (no `Log ends` before it): down from the last line the gateway wrote
--     before it (the latest it is known alive; the log cannot say when it died after that),
--     in the same log by line order, or for a file's first line the latest event of the log's
--     rotated files before it in time (whether or not they hold any marker).
-- A `Log begins` with nothing of its log before it is the logs' start: no downtime.
CREATE OR REPLACE TEMP MACRO r13_downtime(reopen_seconds) AS TABLE
WITH names AS (
    -- a load's log (log_id) and the rotated files of that log (log_name), whatever folder
    -- each load was read from
    SELECT load_id, log_id, log_name FROM log_of_load()   -- queries/reports/log_of_load.sql
),

cut AS (
    SELECT load_id, line_no,
           regexp_extract(raw, '(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) Log begins\s*$', 1) AS stamp
    FROM rejected_lines
    WHERE regexp_matches(raw, '.\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} Log begins\s*$')
),

all_markers AS (
    SELECT load_id, line_no, logged_at, marker
    FROM log_markers
    WHERE marker IN ('begins', 'ends') AND logged_at IS NOT NULL
    UNION ALL
    SELECT c.load_id, c.line_no,
           timezone(coalesce(f.log_timezone, 'UTC'), try_strptime(c.stamp, '%Y-%m-%d %H:%M:%S')), 'begins'
    FROM cut AS c
    JOIN load_manifest AS f USING (load_id)
    WHERE f.format = 'kannel'
),

markers AS (
    SELECT m.load_id, m.line_no, m.logged_at, m.marker, n.log_id, n.log_name,
           lag(m.marker) OVER same_log AS previous_marker,
           lag(m.logged_at) OVER same_log AS previous_at
    FROM all_markers AS m
    JOIN names AS n USING (load_id)
    WHERE m.logged_at IS NOT NULL
    WINDOW same_log AS (PARTITION BY n.log_id ORDER BY m.line_no, m.load_id)
),

ordered AS (
    SELECT *,
           lag(marker) OVER rotated AS marker_before,
           lag(logged_at) OVER rotated AS marker_before_at,
           lag(load_id) OVER rotated AS load_before
    FROM markers
    WINDOW rotated AS (PARTITION BY log_name ORDER BY logged_at, marker = 'begins', load_id, line_no)
),

restarts AS (
    SELECT *,
           CASE
               WHEN previous_marker = 'ends' THEN previous_at
               WHEN previous_marker IS NULL AND line_no = 1 AND marker_before = 'ends' AND load_before <> load_id
                   THEN marker_before_at
           END AS stopped_at
    FROM ordered
    WHERE marker = 'begins'
),

crashes AS (
    -- a `Log begins` without a `Log ends` before it, with something of its log before it
    SELECT * FROM restarts AS s
    -- (a file's first line: only after another file of the log, its rotated predecessor,
    -- with or without markers (a copytruncate segment has none: a session-33 probe's crash
    -- after one was missed); a marker of its own file earlier in time is a clock step, no
    -- restart)
    WHERE stopped_at IS NULL
      AND (line_no > 1
           OR (marker_before IS NOT NULL AND load_before <> load_id)
           OR (marker_before IS NULL AND EXISTS (
                   SELECT 1 FROM events AS e JOIN names AS l USING (load_id)
                   WHERE l.log_name = s.log_name AND l.log_id <> s.log_id AND e.logged_at < s.logged_at)))
),

lines AS (
    -- the events of the logs restarted only (a warehouse without a restart reads none)
    SELECT l.log_id, l.log_name, e.line_no, e.logged_at
    FROM events AS e
    JOIN names AS l USING (load_id)
    WHERE l.log_name IN (SELECT log_name FROM restarts WHERE stopped_at IS NOT NULL UNION ALL SELECT log_name FROM crashes)
),

crashed AS (
    SELECT s.*, l.logged_at AS last_line_at
    FROM (SELECT * FROM crashes WHERE line_no > 1) AS s
    ASOF LEFT JOIN lines AS l
        ON l.log_id = s.log_id AND s.line_no > l.line_no
    UNION ALL
    SELECT s.*, l.logged_at
    FROM (SELECT * FROM crashes WHERE line_no = 1) AS s
    ASOF LEFT JOIN lines AS l
        ON l.log_name = s.log_name AND s.logged_at > l.logged_at
),

down AS (
    SELECT log_name, load_id, line_no, stopped_at AS down_from, logged_at AS down_to, true AS clean
    FROM restarts
    WHERE stopped_at IS NOT NULL AND logged_at - stopped_at > to_seconds(reopen_seconds)
    UNION ALL
    SELECT log_name, load_id, line_no,
           CASE WHEN previous_marker IS NOT NULL THEN greatest(previous_at, last_line_at) ELSE last_line_at END,
           logged_at, false
    FROM crashed
),

checked AS (
    -- the log's first event after the stop: one before the restart is a clock step inside the
    -- log (access-log-time changed, read in the load's log_timezone: KANNEL.md), no downtime
    SELECT d.*, l.logged_at AS next_line_at
    FROM (SELECT * FROM down WHERE down_from IS NOT NULL AND down_to > down_from) AS d
    ASOF LEFT JOIN lines AS l
        ON l.log_name = d.log_name AND d.down_from < l.logged_at
)

SELECT log_name, load_id, line_no, down_from, down_to, clean
FROM checked
WHERE next_line_at IS NULL OR next_line_at >= down_to
