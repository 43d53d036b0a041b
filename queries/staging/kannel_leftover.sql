-- Kannel access log, staging step 3: the lines the fast path did not make events of (all
-- lines for a custom format), with their line numbers, for the positional path.
CREATE TEMP TABLE stg_kannel_left AS
WITH base AS (
    SELECT min(rowid) AS first_rowid FROM stg_kannel_raw
),
numbered AS (
    SELECT rowid - (SELECT first_rowid FROM base) + 1 AS line_no, line
    FROM stg_kannel_raw
),
taken AS (
    SELECT line_no FROM events WHERE load_id = $load_id
)
SELECT line_no, line
FROM numbered
WHERE line_no NOT IN (SELECT line_no FROM taken)
