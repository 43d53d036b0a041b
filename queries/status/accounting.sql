-- The loads whose rows in events, log_markers and rejected_lines are not the lines the
-- manifest recorded as read. ingest committed nothing unless lines = events + markers +
-- rejected, so a row here means the tables changed since (rows deleted, added or moved): the
-- audits would not see what was loaded. Rows whose load_id no manifest row names (NULL path)
-- and rows of a skipped file (it loaded nothing) stand against 0 lines.
WITH held_events AS (
    SELECT load_id, count(*) AS events FROM events GROUP BY load_id
),

held_markers AS (
    SELECT load_id, count(*) AS markers FROM log_markers GROUP BY load_id
),

held_rejected AS (
    SELECT load_id, count(*) AS rejected FROM rejected_lines GROUP BY load_id
),

loads AS (
    SELECT load_id FROM load_manifest
    UNION SELECT load_id FROM held_events
    UNION SELECT load_id FROM held_markers
    UNION SELECT load_id FROM held_rejected
),

compared AS (
    SELECT
        l.load_id,
        m.path,
        m.state,
        CASE WHEN m.state = 'loaded' THEN m.lines ELSE 0 END AS lines,  -- skipped: read nothing
        coalesce(e.events, 0) AS events,
        coalesce(k.markers, 0) AS markers,
        coalesce(r.rejected, 0) AS rejected
    FROM loads AS l
    LEFT JOIN load_manifest AS m ON m.load_id = l.load_id
    LEFT JOIN held_events AS e ON e.load_id = l.load_id
    LEFT JOIN held_markers AS k ON k.load_id = l.load_id
    LEFT JOIN held_rejected AS r ON r.load_id = l.load_id
)

SELECT load_id, path, state, lines, events, markers, rejected
FROM compared
WHERE lines <> events + markers + rejected
ORDER BY load_id
