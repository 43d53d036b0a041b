-- The repeated autumn hour across the files of one log (docs/KANNEL.md, "The repeated autumn
-- hour"). kannel_dst_shift.sql reads the hour from the order of the lines of one file (and of
-- the loads it continues); a file cut by a rotation INSIDE the hour shows no fold back of its
-- own, and its lines read as the first run. Lines of one log go forward in time, so when two
-- files of it (each with no fold back) hold lines of the first run that overlap on the wall
-- clock, the newer one is in the second run. Which file is the newer one is not guessed: a
-- file with lines before the hour is the older one (the other one's lines of the hour cannot
-- precede it), a file with lines after the hour the newer one, a load it continues is older.
-- $load_id: the load just made (recorded in load_manifest); $hours: the starts (UTC) of the
-- first runs it has lines in (kannel_dst_rotation_hours.sql); $window_from/$window_to: those
-- hours' two runs. Loads taken into account: Kannel logs read from their prefix in the same
-- zone; the copies of this log (same first line: the same log loaded again) are not other files.
-- Result, one row per decision:
--   this:    this load's first-run lines of the hour are the second run (by: an older file);
--   earlier: the first-run lines of the hour of a log loaded before (every load of it) are the
--            second run, this log being older;
--   unknown: this load and an earlier log overlap in the first run, with nothing in their
--            lines to tell which is the older: left as read, and said.
WITH RECURSIVE hours AS (
    SELECT unnest($hours::TIMESTAMPTZ[]) AS h
),
readings AS (
    SELECT load_id, path, continues_load_id, head_sha256
    FROM load_manifest
    WHERE state = 'loaded' AND format = 'kannel' AND log_timezone = $tz AND access_log_clean IS NOT TRUE
),
chains (load_id, root) AS (
    -- a log read while it was written (continuations) is one file: its first load is its root
    SELECT load_id, load_id FROM readings WHERE continues_load_id IS NULL
    UNION ALL
    SELECT r.load_id, c.root FROM readings AS r JOIN chains AS c ON r.continues_load_id = c.load_id
),
near AS (
    SELECT load_id FROM events WHERE logged_at >= $window_from AND logged_at < $window_to
    UNION
    SELECT load_id FROM log_markers WHERE logged_at >= $window_from AND logged_at < $window_to
    UNION
    SELECT $load_id::INTEGER
),
members AS (
    SELECT c.load_id, c.root
    FROM chains AS c
    WHERE c.root IN (SELECT c2.root FROM chains AS c2 JOIN near AS n ON n.load_id = c2.load_id)
),
lines AS (
    SELECT load_id, logged_at FROM events WHERE load_id IN (SELECT load_id FROM members)
    UNION ALL
    SELECT load_id, logged_at FROM log_markers
    WHERE load_id IN (SELECT load_id FROM members) AND logged_at IS NOT NULL
),
per_load AS (
    SELECT m.load_id, m.root, hs.h,
           min(l.logged_at) AS lo, max(l.logged_at) AS hi,
           count(*) FILTER (WHERE l.logged_at >= hs.h AND l.logged_at < hs.h + INTERVAL 1 HOUR) AS n_first,
           min(l.logged_at) FILTER (WHERE l.logged_at >= hs.h AND l.logged_at < hs.h + INTERVAL 1 HOUR) AS first_lo,
           max(l.logged_at) FILTER (WHERE l.logged_at >= hs.h AND l.logged_at < hs.h + INTERVAL 1 HOUR) AS first_hi,
           count(*) FILTER (WHERE l.logged_at >= hs.h + INTERVAL 1 HOUR
                              AND l.logged_at < hs.h + INTERVAL 2 HOUR) AS n_second
    FROM lines AS l
    JOIN members AS m USING (load_id)
    CROSS JOIN hours AS hs
    GROUP BY m.load_id, m.root, hs.h
),
logs AS (
    SELECT p.root, p.h, min(p.lo) AS lo, max(p.hi) AS hi, sum(p.n_first) AS n_first,
           min(p.first_lo) AS first_lo, max(p.first_hi) AS first_hi, sum(p.n_second) AS n_second,
           list(p.load_id ORDER BY p.load_id) AS load_ids, list(r.path ORDER BY p.load_id) AS paths,
           any_value(root_reading.head_sha256) AS head_sha256
    FROM per_load AS p
    JOIN readings AS r ON r.load_id = p.load_id
    JOIN readings AS root_reading ON root_reading.load_id = p.root
    GROUP BY p.root, p.h
),
this AS (
    -- this load, with its log's span (a continuation's earlier lines are before its own)
    SELECT t.h, t.load_id, t.n_first, t.first_lo, t.first_hi, t.n_second,
           x.root, x.lo, x.hi, x.head_sha256, x.n_first AS log_n_first, x.first_lo AS log_first_lo,
           x.first_hi AS log_first_hi, x.n_second AS log_n_second
    FROM per_load AS t
    JOIN logs AS x ON x.root = t.root AND x.h = t.h
    WHERE t.load_id = $load_id
),
others AS (
    SELECT o.*
    FROM logs AS o
    JOIN this AS t ON o.h = t.h AND o.root <> t.root AND o.head_sha256 IS DISTINCT FROM t.head_sha256
),
older AS (
    -- files known to be older than this load, and written up to `hi`
    SELECT p.h, r.path AS by_path, p.hi AS by_hi, 'continued' AS why
    FROM per_load AS p
    JOIN this AS t ON p.h = t.h AND p.root = t.root AND p.load_id < t.load_id
    JOIN readings AS r ON r.load_id = p.load_id
    UNION ALL
    SELECT o.h, o.paths[-1], o.hi,
           CASE WHEN o.lo < o.h THEN 'before' ELSE 'after' END
    FROM others AS o
    JOIN this AS t ON o.h = t.h
    WHERE t.lo >= t.h AND o.hi < o.h + INTERVAL 2 HOUR
      AND (o.lo < o.h OR t.hi >= t.h + INTERVAL 2 HOUR)
),
forward AS (
    -- (both picks by one total order: of two logs written as late, the same one names the
    -- path and the reason)
    SELECT t.h, arg_max(o.by_path, {'hi': o.by_hi, 'path': o.by_path, 'why': o.why}) AS by_path,
           max(o.by_hi) AS by_hi, arg_max(o.why, {'hi': o.by_hi, 'path': o.by_path, 'why': o.why}) AS why
    FROM this AS t
    JOIN older AS o ON o.h = t.h
    WHERE t.n_first > 0 AND t.n_second = 0
      AND o.by_hi < o.h + INTERVAL 2 HOUR
      AND o.by_hi > t.first_lo + to_seconds($fold_tolerance_s)
    GROUP BY t.h
),
backward AS (
    -- an earlier log this load's log is older than, and ends after that log's first line of
    -- the first run
    SELECT o.h, o.root, o.load_ids, o.paths, o.n_first, o.first_lo,
           CASE WHEN t.lo < t.h THEN 'before' ELSE 'after' END AS why
    FROM others AS o
    JOIN this AS t ON o.h = t.h
    WHERE o.n_first > 0 AND o.n_second = 0
      AND o.lo >= o.h AND t.hi < t.h + INTERVAL 2 HOUR
      AND (t.lo < t.h OR o.hi >= o.h + INTERVAL 2 HOUR)
      AND t.hi > o.first_lo + to_seconds($fold_tolerance_s)
),
unknown AS (
    SELECT o.h, o.root, o.load_ids, o.paths, o.n_first, o.first_lo, o.first_hi
    FROM others AS o
    JOIN this AS t ON o.h = t.h
    WHERE t.n_first > 0 AND t.n_second = 0 AND o.n_first > 0 AND o.n_second = 0
      AND t.first_hi > o.first_lo + to_seconds($fold_tolerance_s)
      AND o.first_hi > t.first_lo + to_seconds($fold_tolerance_s)
      AND NOT EXISTS (SELECT 1 FROM forward AS f WHERE f.h = o.h)
      AND NOT EXISTS (SELECT 1 FROM backward AS b WHERE b.h = o.h AND b.root = o.root)
)
SELECT 'this' AS kind, f.h, [t.load_id] AS load_ids, NULL::VARCHAR[] AS paths, t.n_first, t.first_lo,
       f.by_path, f.by_hi, f.why
FROM forward AS f JOIN this AS t USING (h)
UNION ALL
SELECT 'earlier', b.h, b.load_ids, b.paths, b.n_first, b.first_lo, NULL, t.hi, b.why
FROM backward AS b JOIN this AS t USING (h)
UNION ALL
SELECT 'unknown', u.h, u.load_ids, u.paths, u.n_first, u.first_lo, NULL, u.first_hi, NULL
FROM unknown AS u JOIN this AS t USING (h)
ORDER BY 2, 1, 3
