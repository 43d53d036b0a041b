-- Kannel access log in local time: the repeated hour of the autumn change (Europe/Paris:
-- 02:00-02:59 on the last Sunday of October) read from the ORDER of the lines, never guessed
-- from the clock. ICU reads an ambiguous wall-clock time as one of its two instants; in line
-- order, the first run of the hour is the first occurrence (summer time), and the line where
-- the clock goes back (earlier than a line already seen in that hour by more than
-- $fold_tolerance_s seconds, so that seconds of jitter between threads are not a change)
-- starts the second occurrence. Without such a line the whole hour is its first occurrence.
-- A load that continues earlier ones ($earlier_loads: the same log, read before while it was
-- being written) reads their lines first, as ICU read their wall clock, so that a clock
-- that went back before its first line is seen (their lines before $start_line: a line an
-- earlier read caught half-written is this load's, whole).
-- Result: the lines (events and markers of this load) whose instant must move, and by how much.
CREATE TEMP TABLE stg_kannel_shift AS
WITH stamped AS (
    SELECT line_no, logged_at, true AS ours FROM events WHERE load_id = $load_id
    UNION ALL
    SELECT line_no, logged_at, true FROM log_markers WHERE load_id = $load_id AND logged_at IS NOT NULL
    UNION ALL
    SELECT line_no, timezone($tz, timezone($tz, logged_at)), false
    FROM events WHERE list_contains($earlier_loads, load_id) AND line_no < $start_line
    UNION ALL
    SELECT line_no, timezone($tz, timezone($tz, logged_at)), false
    FROM log_markers WHERE list_contains($earlier_loads, load_id) AND logged_at IS NOT NULL AND line_no < $start_line
),
bounds AS (
    SELECT date_trunc('hour', min(logged_at)) AS first_hour, max(logged_at) AS last_at FROM stamped
),
hours AS (
    -- every hour the load spans (a month of logs: ~720), not a scan for distinct hours
    SELECT unnest(generate_series(first_hour, last_at, INTERVAL 1 HOUR)) AS h FROM bounds
),
ambiguous AS (
    -- ICU gave the later instant when the hour before reads the same on the wall clock,
    -- the earlier one when the hour after does
    SELECT h, timezone($tz, h) = timezone($tz, h - INTERVAL 1 HOUR) AS is_later
    FROM hours
    WHERE timezone($tz, h) = timezone($tz, h - INTERVAL 1 HOUR)
       OR timezone($tz, h) = timezone($tz, h + INTERVAL 1 HOUR)
),
candidates AS (
    SELECT s.line_no, s.logged_at, s.ours, a.h, a.is_later
    FROM stamped AS s
    JOIN ambiguous AS a ON s.logged_at >= a.h AND s.logged_at < a.h + INTERVAL 1 HOUR
),
ordered AS (
    SELECT *,
           max(logged_at) OVER (PARTITION BY h ORDER BY line_no
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS seen_max
    FROM candidates
),
folds AS (
    SELECT h, min(line_no) AS fold_line
    FROM ordered
    WHERE logged_at < seen_max - to_seconds($fold_tolerance_s)
    GROUP BY h
),
resolved AS (
    SELECT c.line_no, c.ours, c.is_later, f.fold_line IS NOT NULL AND c.line_no >= f.fold_line AS second_run
    FROM candidates AS c
    LEFT JOIN folds AS f USING (h)
)
SELECT line_no,
       CASE WHEN is_later AND NOT second_run THEN -INTERVAL 1 HOUR
            WHEN NOT is_later AND second_run THEN INTERVAL 1 HOUR END AS shift
FROM resolved
WHERE ours AND is_later <> second_run
