-- The loads a continuation stands on: $load_id (the load it continues), the load that one
-- continues, and so on back to the first read of the log.
WITH RECURSIVE chain (load_id) AS (
    SELECT $load_id::INTEGER
    UNION ALL
    SELECT m.continues_load_id
    FROM load_manifest AS m
    JOIN chain AS c ON m.load_id = c.load_id
    WHERE m.continues_load_id IS NOT NULL
)
SELECT list(load_id ORDER BY load_id) FROM chain
