-- A configured access-log format that does not match the log loads without a reject when
-- what it leaves out falls in a free field: a log of 1.4.4+ read with a format without
-- [META:%D] gives FID 'F000001] [META:?smpp_resp?'. Per field, the events of this load whose
-- value holds '] [' and a tag of Kannel's layout ($tag_pattern), and the first example; a
-- field where a tenth of the events do is reported by ingest (kannel.py).
WITH counted AS (
    SELECT count(*) AS events,
           -- (contains first: a fast byte search, the pattern only where '] [' is)
           count_if(contains(smsc, '] [') AND regexp_matches(smsc, $tag_pattern)) AS smsc,
           min(smsc) FILTER (WHERE contains(smsc, '] [') AND regexp_matches(smsc, $tag_pattern)) AS smsc_e,
           count_if(contains(service, '] [') AND regexp_matches(service, $tag_pattern)) AS service,
           min(service) FILTER (WHERE contains(service, '] [') AND regexp_matches(service, $tag_pattern)) AS service_e,
           count_if(contains(account, '] [') AND regexp_matches(account, $tag_pattern)) AS account,
           min(account) FILTER (WHERE contains(account, '] [') AND regexp_matches(account, $tag_pattern)) AS account_e,
           count_if(contains(binfo, '] [') AND regexp_matches(binfo, $tag_pattern)) AS binfo,
           min(binfo) FILTER (WHERE contains(binfo, '] [') AND regexp_matches(binfo, $tag_pattern)) AS binfo_e,
           count_if(contains(fid, '] [') AND regexp_matches(fid, $tag_pattern)) AS fid,
           min(fid) FILTER (WHERE contains(fid, '] [') AND regexp_matches(fid, $tag_pattern)) AS fid_e,
           count_if(contains(meta, '] [') AND regexp_matches(meta, $tag_pattern)) AS meta,
           min(meta) FILTER (WHERE contains(meta, '] [') AND regexp_matches(meta, $tag_pattern)) AS meta_e,
           count_if(contains(sender, '] [') AND regexp_matches(sender, $tag_pattern)) AS sender,
           min(sender) FILTER (WHERE contains(sender, '] [') AND regexp_matches(sender, $tag_pattern)) AS sender_e,
           count_if(contains(receiver, '] [') AND regexp_matches(receiver, $tag_pattern)) AS receiver,
           min(receiver) FILTER (WHERE contains(receiver, '] [') AND regexp_matches(receiver, $tag_pattern)) AS receiver_e,
           count_if(contains(text, '] [') AND regexp_matches(text, $tag_pattern)) AS text,
           min(text) FILTER (WHERE contains(text, '] [') AND regexp_matches(text, $tag_pattern)) AS text_e
    FROM events
    WHERE load_id = $load_id
),
fields AS (
    SELECT events, unnest([
        {'field': 'SMSC', 'lines': smsc, 'example': smsc_e},
        {'field': 'SVC', 'lines': service, 'example': service_e},
        {'field': 'ACT', 'lines': account, 'example': account_e},
        {'field': 'BINF', 'lines': binfo, 'example': binfo_e},
        {'field': 'FID', 'lines': fid, 'example': fid_e},
        {'field': 'META', 'lines': meta, 'example': meta_e},
        {'field': 'from', 'lines': sender, 'example': sender_e},
        {'field': 'to', 'lines': receiver, 'example': receiver_e},
        {'field': 'text', 'lines': text, 'example': text_e}], recursive := true)
    FROM counted
)
SELECT field, lines, events, example
FROM fields
WHERE lines > 0 AND lines * 10 >= events
ORDER BY lines DESC, field
