-- Kannel access log, staging step 4: the positional path. Each leftover line is an empty
-- line, a marker, an event or a reject with its reason. The fields are read by the parse
-- plan of opsanalytics.ingest.kannel_format: $head_pattern matches everything up to where
-- the text starts (free fields lazy, in their fixed order); the text is then SLICED by its
-- LEN (bytes: 2 hex digits a byte for codings 1 and 2, one character a byte for the
-- printable text of the others), never matched; $tail_pattern must match exactly what
-- follows (e.g. '] [udh:N:HEX]'). Both name every field, so a field is `h.x || t.x`
-- wherever the format put it. Formats without %L before %b match the text whole and check
-- its length after ($sliced = false), as do formats whose text is %a ($squeezed).
CREATE TEMP TABLE stg_kannel_slow AS
WITH lines AS (
    SELECT line_no, line,
           CASE WHEN $prefix AND line IS NOT NULL
                THEN try_strptime(left(line, 19), '%Y-%m-%d %H:%M:%S') END AS prefix_ts
    FROM stg_kannel_left
),
matched AS (
    SELECT *,
           prefix_ts IS NOT NULL AND substr(line, 20, 1) = ' '
               AND substr(line, 21) IN ('Log begins', 'Log ends') AS is_marker,
           coalesce(regexp_matches(line, $head_pattern), false) AS head_ok,
           regexp_extract(coalesce(line, ''), $head_pattern, $head_names) AS h
    FROM lines
),
sliced AS (
    SELECT *,
           try_cast(nullif(h.msg_len, '') AS INTEGER) AS head_len,
           -- BIGINT: LEN times it must not overflow for a LEN near the INTEGER limit
           CASE WHEN try_cast(nullif(h.coding, '') AS INTEGER) IN (1, 2) THEN 2
                -- %c after %b ($coding_after_text): hex (2 digits a byte) when what follows
                -- 2 x LEN characters is the tail, with coding 1 or 2
                WHEN $coding_after_text AND head_len IS NOT NULL
                     AND regexp_extract(substr(h.rest, 2 * head_len::BIGINT + 1), $tail_pattern, $tail_names).coding IN ('1', '2')
                    THEN 2
                ELSE 1 END::BIGINT AS chars_per_byte
    FROM matched
),
tailed AS (
    SELECT *,
           -- a format with no text escape (a gateway that keeps texts out of its log): unknown
           CASE WHEN NOT $has_text THEN NULL
                WHEN $sliced THEN substr(h.rest, 1, head_len * chars_per_byte) ELSE h.text END AS text_logged,
           CASE WHEN $sliced THEN substr(h.rest, head_len * chars_per_byte + 1) ELSE '' END AS after_text
    FROM sliced
),
fielded AS (
    SELECT *,
           regexp_matches(after_text, $tail_pattern) AS tail_ok,
           regexp_extract(after_text, $tail_pattern, $tail_names) AS t
    FROM tailed
),
typed AS (
    SELECT line_no, line, is_marker, head_ok, tail_ok, head_len, chars_per_byte,
           length(h.rest) AS rest_chars, text_logged AS text,
           prefix_ts AS ts,
           try_strptime(nullif(h.msg_time || t.msg_time, ''), '%Y-%m-%d %H:%M:%S') AS msg_time,
           try_cast(nullif(h.epoch || t.epoch, '') AS BIGINT) AS epoch,
           h.epoch || t.epoch = '' AS epoch_empty,
           h.label || t.label AS label,
           h.smsc || t.smsc AS smsc, h.service || t.service AS service,
           h.account || t.account AS account, h.binfo || t.binfo AS binfo,
           h.fid || t.fid AS fid, h.meta || t.meta AS meta,
           -- a number the format does not carry (no %p / %P, $absent) is unknown: NULL, not ''
           CASE WHEN NOT list_contains($absent, 'sender') THEN h.sender || t.sender END AS sender,
           CASE WHEN NOT list_contains($absent, 'receiver') THEN h.receiver || t.receiver END AS receiver,
           try_cast(nullif(h.mclass || t.mclass, '') AS SMALLINT) AS mclass,
           try_cast(nullif(h.coding || t.coding, '') AS SMALLINT) AS coding,
           try_cast(nullif(h.mwi || t.mwi, '') AS SMALLINT) AS mwi,
           try_cast(nullif(h.compress || t.compress, '') AS SMALLINT) AS compress,
           try_cast(nullif(h.dlr_mask || t.dlr_mask, '') AS INTEGER) AS dlr_mask,
           try_cast(nullif(h.msg_len || t.msg_len, '') AS INTEGER) AS msg_len,
           try_cast(nullif(h.udh_len || t.udh_len, '') AS INTEGER) AS udh_len,
           upper(h.udh || t.udh) AS udh,
           -- as written, to tell a flag absent from one too large for its type
           [h.mclass || t.mclass, h.coding || t.coding, h.mwi || t.mwi, h.compress || t.compress,
            h.dlr_mask || t.dlr_mask] AS flags_logged
    FROM fielded
),
-- Kannel writes the message time -1 (%t = 1969-12-31 23:59:59) when the message has none,
-- e.g. on `FAILED Receive DLR` lines (a receipt that matched no MT), and %T then prints
-- nothing (gw/bb_alog.c; '-1' is read as unset too). The line was
-- written between its neighbours, so it takes the time of the nearest dated line before it
-- (after it, for a first line): never 1969.
stamped AS (
    SELECT typed.*, labels.kind, labels.outcome,
           $time_source <> 'prefix'
               AND coalesce(msg_time = TIMESTAMP '1969-12-31 23:59:59' OR epoch = -1
                            OR ($time_source = 'epoch' AND epoch_empty), false) AS time_unset,
           CASE
               WHEN time_unset THEN NULL
               WHEN $time_source = 'prefix' THEN timezone($tz, ts)
               WHEN $time_source = 'msg_time' THEN timezone('UTC', msg_time)
               WHEN $time_source = 'epoch' THEN to_timestamp(epoch)
           END AS own_time
    FROM typed
    LEFT JOIN (SELECT unnest(kannel_labels(), recursive := true)) AS labels USING (label)
),
labelled AS (
    SELECT *,
           CASE WHEN NOT time_unset THEN own_time
                ELSE coalesce(
                    last_value(own_time IGNORE NULLS) OVER (ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                    first_value(own_time IGNORE NULLS) OVER (ORDER BY line_no ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING))
           END AS logged_at
    FROM stamped
),
judged AS (
    SELECT *,
           CASE
               WHEN line IS NULL THEN 'empty line'
               WHEN is_marker THEN NULL
               -- both boxes given one access-log file: smsbox's HTTP-request lines in it
               WHEN NOT head_ok AND len(list_filter($smsbox_marks, lambda m: contains(line, m))) > 0
                   THEN 'an smsbox access-log line (an HTTP request), not a bearerbox event: smsbox and bearerbox write to the same access-log file?'
               WHEN NOT head_ok AND $prefix AND ts IS NULL
                   THEN 'no "YYYY-MM-DD HH:MM:SS " time at the start of the line'
               WHEN NOT head_ok
                   THEN 'fields missing or out of order for the access-log format (truncated or damaged line?)'
               WHEN $sliced AND head_len IS NULL THEN 'LEN of [msg:] is not a number'
               WHEN $sliced AND rest_chars < head_len * chars_per_byte
                   THEN printf('truncated: the text is shorter than its LEN (%d bytes)', head_len)
               WHEN NOT tail_ok
                   THEN printf('the text does not end where its LEN (%d bytes) says, or the fields after it are damaged', head_len)
               WHEN kind IS NULL THEN printf('unknown label "%s"', label)
               WHEN (flags_logged[1] <> '' AND mclass IS NULL) OR (flags_logged[2] <> '' AND coding IS NULL)
                    OR (flags_logged[3] <> '' AND mwi IS NULL) OR (flags_logged[4] <> '' AND compress IS NULL)
                    OR (flags_logged[5] <> '' AND dlr_mask IS NULL)
                   THEN printf('a flag is out of range (mclass:coding:mwi:compress:dlr_mask = %s)',
                               array_to_string(flags_logged, ':'))
               WHEN logged_at IS NULL THEN 'no valid time for the event'
               WHEN logged_at < $earliest_event OR logged_at >= $latest_event
                   THEN printf('the time (%s UTC) is outside %d-%d: a damaged date', strftime(logged_at, '%Y-%m-%d %H:%M:%S'),
                               year($earliest_event), year($latest_event) - 1)
               -- (%a, $squeezed: printable text loses spaces, so it may be shorter; hex keeps all)
               WHEN msg_len IS NOT NULL AND $has_text
                    AND CASE WHEN $squeezed AND coalesce(coding, 0) NOT IN (1, 2) THEN length(text) > msg_len
                             ELSE length(text) <> msg_len::BIGINT * CASE WHEN coding IN (1, 2) THEN 2 ELSE 1 END END
                   THEN printf('the text has %d characters but its LEN says %d bytes', length(text), msg_len)
               WHEN udh_len IS NOT NULL AND length(udh) <> 2 * udh_len::BIGINT
                   THEN printf('the UDH has %d hex digits but its length says %d bytes', length(udh), udh_len)
               WHEN coding IN (1, 2) AND regexp_matches(text, '[^0-9A-Fa-f]')
                   THEN printf('coding %d text is not hex', coding)
           END AS reason
    FROM labelled
)
SELECT line_no, line, reason,
       CASE WHEN is_marker THEN 'marker' WHEN reason IS NULL THEN 'event' ELSE 'reject' END AS state,
       CASE WHEN is_marker THEN lower(substr(line, 25)) END AS marker,
       CASE WHEN is_marker THEN timezone($tz, ts) ELSE logged_at END AS logged_at,
       label, kind, outcome, smsc, service, account, binfo, fid, meta, sender, receiver,
       -- a format with %u but no %U: the UDH's length is its hex digits / 2 (0 with no %u)
       mclass, coding, mwi, compress, dlr_mask, msg_len, text, coalesce(udh_len, length(udh) // 2) AS udh_len, udh
FROM judged
