-- A configured access-log format that does not match the log loads without a reject when
-- what it leaves out falls in a free field: a log of 1.4.4+ read with a format without
-- [META:%D] gives FID 'F000001] [META:?smpp_resp?'. Per field (named as the log's tag), the
-- events of this load whose value holds '] [' and a tag of Kannel's layout ($tag_pattern),
-- and the first example; a field where a tenth of the events do is reported by ingest
-- (kannel.py). The built-in layout is read by its tags, so a tag it knows never lands in a
-- value; there any tag ($tag_pattern) in a value other than the text (sliced by its LEN:
-- its words are the sender's) is one the gateway's custom format adds, such as [ID:%I]
-- ($builtin).
-- $tag_pattern matches only a '] [' that closes no bracket the value opened (none before
-- it): an application's own `[camp:noel] [seg:vip]` in BINF is its value.
-- Only the lines of the positional path can: the fast path takes a line only when its
-- tokens are the layout's tags in order (kannel_events_fast.sql).
WITH load_events AS (
    SELECT smsc AS "SMSC", service AS "SVC", account AS "ACT", binfo AS "BINF", fid AS "FID",
           meta AS "META", sender AS "from", receiver AS "to", text
    FROM stg_kannel_slow
    WHERE state = 'event'
),

loaded AS (
    SELECT count(*) AS events FROM events WHERE load_id = $load_id
),

tagged AS (
    SELECT field, value
    FROM (UNPIVOT load_events ON COLUMNS(*) INTO NAME field VALUE value)
    -- (contains first: a fast byte search, the pattern only where '] [' is)
    WHERE contains(value, '] [') AND regexp_matches(value, $tag_pattern) AND NOT ($builtin AND field = 'text')
)

SELECT field, count(*) AS lines, (SELECT events FROM loaded) AS events, min(value) AS example
FROM tagged
GROUP BY field
HAVING count(*) * 10 >= (SELECT events FROM loaded)
ORDER BY lines DESC, field
