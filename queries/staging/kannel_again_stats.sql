-- What kannel_again.sql did, for ingest to say: the lines marked to be read again, how many
-- were (none when too many were marked), and, for those now read with a delimiter inside a
-- field, which field, how many lines and an example value.
WITH held AS (
    SELECT held AS field, count(*) AS lines,
           min(CASE held WHEN 'text' THEN text WHEN 'sender' THEN sender WHEN 'binfo' THEN binfo
                         WHEN 'account' THEN account WHEN 'meta' THEN meta WHEN 'service' THEN service
                         WHEN 'smsc' THEN smsc WHEN 'fid' THEN fid WHEN 'receiver' THEN receiver END) AS example
    FROM stg_kannel_again
    WHERE variant > 0 AND state = 'event' AND held IS NOT NULL
    GROUP BY held
)
SELECT (SELECT count(*) FROM stg_kannel_slow WHERE extra IS NOT NULL) AS marked,
       (SELECT count(*) FROM stg_kannel_again) AS reread,
       (SELECT coalesce(list({'field': field, 'lines': lines, 'example': example} ORDER BY lines DESC, field), [])
        FROM held) AS held
