-- One row per MT line (R1-R14 read it): int_mt plus the logical message it belongs to.
CREATE OR REPLACE TABLE fct_mt AS
WITH logical_of AS (
    SELECT unnest(mt_ids) AS mt_id, logical_id
    FROM fct_logical_messages
)

SELECT m.*, l.logical_id
FROM int_mt AS m
LEFT JOIN logical_of AS l USING (mt_id)
