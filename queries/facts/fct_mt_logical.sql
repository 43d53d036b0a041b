-- fct_mt.logical_id of the lines of a multi-line logical message (parts of a concatenated
-- message, folded resends): the lines of a one-line message keep their own id, set by
-- fct_mt.sql, so only these few rows are written again.
UPDATE fct_mt
SET logical_id = l.logical_id
FROM (
    SELECT unnest(mt_ids) AS mt_id, logical_id
    FROM fct_logical_messages
    WHERE len(mt_ids) > 1
) AS l
WHERE fct_mt.mt_id = l.mt_id AND fct_mt.logical_id <> l.logical_id
