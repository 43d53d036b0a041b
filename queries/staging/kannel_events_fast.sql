-- Kannel access log, staging step 2 (built-in layout of 1.4.0-1.4.5 only): the fast path,
-- run on each block of lines (stg_kannel_block: line_no, line; opsanalytics.ingest.lineblocks).
-- Each line is tokenised ONCE on '] [' (bench/PERF-NOTES.md); a line whose tokens carry the expected
-- tags in order, whose flags are numbers and whose text has exactly the length its LEN
-- announces (bytes; hex texts 2 digits a byte) becomes an event here. Every other line
-- (texts or values holding '] [', damaged lines, markers, unknown labels) is left for the
-- positional path (kannel_leftover.sql, kannel_slow.sql), which explains or parses it.
INSERT INTO events (load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
                    binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
                    text_len, text, text_lossy, udh, segments, segments_exact)
WITH tokens AS (
    SELECT line_no, string_split(line, '] [') AS p
    FROM stg_kannel_block
),
shaped AS (
    -- k = tags between [BINF:] and [from:]: 0 (1.4.0-1.4.1), 1 [FID:] (1.4.2-1.4.3),
    -- 2 [FID:] [META:] (1.4.4-1.4.5)
    SELECT line_no, p, CASE WHEN len(p) BETWEEN 9 AND 11 THEN len(p) - 9 END AS k,
           strpos(p[1], ' [SMSC:') AS sm
    FROM tokens
),
tagged AS (
    SELECT line_no, k, sm, p[1] AS head, p[2] AS t_svc, p[3] AS t_act, p[4] AS t_binf,
           CASE WHEN k >= 1 THEN p[5] END AS t_fid, CASE WHEN k = 2 THEN p[6] END AS t_meta,
           p[5 + k] AS t_from, p[6 + k] AS t_to, p[7 + k] AS t_flags, p[8 + k] AS t_msg,
           p[9 + k] AS t_udh
    FROM shaped
),
shape AS (
    -- CASE (lazy), not AND (every operand evaluated on every row), for the tag checks
    SELECT *,
           CASE WHEN k IS NOT NULL AND sm > 21
                 AND starts_with(t_svc, 'SVC:') AND starts_with(t_act, 'ACT:')
                 AND starts_with(t_binf, 'BINF:')
                 AND (k = 0 OR starts_with(t_fid, 'FID:')) AND (k < 2 OR starts_with(t_meta, 'META:'))
                 AND starts_with(t_from, 'from:') AND starts_with(t_to, 'to:')
                 AND starts_with(t_flags, 'flags:') AND starts_with(t_msg, 'msg:')
                 AND starts_with(t_udh, 'udh:') AND ends_with(t_udh, ']')
                THEN true ELSE false END AS tags_ok
    FROM tagged
),
standard AS (
    SELECT * FROM shape WHERE tags_ok
),
split AS (
    SELECT *,
           substr(t_flags, 7) AS flags_logged,
           try_cast(string_split(flags_logged, ':') AS INTEGER[]) AS fl,
           -- the ':' after LEN: looked for in a few characters, not in a copy of the text
           strpos(substr(t_msg, 5, 12), ':') AS mc,
           strpos(substr(t_udh, 5, 12), ':') AS uc
    FROM standard
),
typed AS (
    SELECT line_no, fl, flags_logged,
           left(head, 19) AS ts_logged,
           try_strptime(left(head, 19), '%Y-%m-%d %H:%M:%S') AS ts,
           substr(head, 20, 1) AS gap,
           substr(head, 21, sm - 21) AS label,
           substr(head, sm + 7) AS smsc,
           substr(t_svc, 5) AS service, substr(t_act, 5) AS account, substr(t_binf, 6) AS binfo,
           coalesce(substr(t_fid, 5), '') AS fid, coalesce(substr(t_meta, 6), '') AS meta,
           substr(t_from, 6) AS sender, substr(t_to, 4) AS receiver,
           -- try_cast: a flag out of SMALLINT range makes the line odd, not the load fail
           try_cast(fl[1] AS SMALLINT) AS mclass, try_cast(fl[2] AS SMALLINT) AS coding,
           try_cast(fl[3] AS SMALLINT) AS mwi, try_cast(fl[4] AS SMALLINT) AS compress, fl[5] AS dlr_mask,
           substr(t_msg, 5, mc - 1) AS len_logged,
           CASE WHEN mc > 1 THEN try_cast(len_logged AS INTEGER) END AS msg_len,
           substr(t_msg, 5 + mc) AS text,
           -- no UDH, the usual case, costs one comparison
           CASE WHEN t_udh = 'udh:0:]' THEN '0' ELSE substr(t_udh, 5, uc - 1) END AS udh_len_logged,
           CASE WHEN t_udh = 'udh:0:]' THEN 0 WHEN uc > 1 THEN try_cast(udh_len_logged AS INTEGER) END AS udh_len,
           CASE WHEN t_udh = 'udh:0:]' THEN ''
                ELSE upper(substr(t_udh, 5 + uc, strlen(t_udh) - 5 - uc)) END AS udh
    FROM split
),
labelled AS (
    SELECT *,
           CASE WHEN kannel_list_dropped_dlr(label, dlr_mask, text) THEN 'dropped' ELSE kannel_kind(label) END AS kind,
           CASE WHEN kannel_list_dropped_dlr(label, dlr_mask, text) THEN 'dlr' ELSE kannel_outcome(label) END AS outcome,
           timezone($tz, ts) AS logged_at
    FROM typed
),
checked AS (
    SELECT *
    FROM labelled
    WHERE CASE WHEN kind IS NOT NULL AND len(fl) = 5 AND logged_at IS NOT NULL AND gap = ' '
                AND mclass IS NOT NULL AND coding IS NOT NULL AND mwi IS NOT NULL
                AND compress IS NOT NULL AND dlr_mask IS NOT NULL
                AND msg_len IS NOT NULL AND udh_len IS NOT NULL
                -- numbers and time exactly as Kannel prints them (%ld, %04d-%02d-...): a cast
                -- also takes '+1', ' 16', '1e1' or an hour ' 4', which a damaged line may
                -- hold; the positional path decides those
                AND NOT regexp_matches(flags_logged, '[^-:0-9]') AND ts::VARCHAR = ts_logged
                AND msg_len::VARCHAR = len_logged AND udh_len::VARCHAR = udh_len_logged
                -- a year no gateway clock writes is a damaged date (warehouse.EVENT_TIMES)
                AND logged_at >= $earliest_event AND logged_at < $latest_event
                -- LEN counts bytes: strlen (bytes, known without reading the text), not
                -- length (characters, counted one by one); printable and hex texts are ASCII
                -- (doubled as BIGINT: a LEN near the INTEGER limit must not overflow); a text
                -- longer in UTF-8 than its LEN may be one read as Latin-1 (lineblocks), one
                -- character a byte: counted then only
                AND CASE WHEN strlen(text) = CASE WHEN coding IN (1, 2) THEN 2 * msg_len::BIGINT ELSE msg_len END THEN true
                         WHEN coding NOT IN (1, 2) AND strlen(text) > msg_len THEN length(text) = msg_len
                         ELSE false END
                AND strlen(udh) = 2 * udh_len::BIGINT
                AND (udh = '' OR NOT regexp_matches(udh, '[^0-9A-F]'))
                AND (coding NOT IN (1, 2) OR NOT regexp_matches(text, '[^0-9A-Fa-f]'))
               THEN true ELSE false END
),
pieces AS (
    SELECT *, kannel_units(text, coding) AS units, kannel_utf8(text, coding) AS utf8,
           kannel_septets(kind, text, coding, msg_len, udh_len) AS septets
    FROM checked
),
derived AS (
    SELECT *, kannel_text(text, coding, units, utf8) AS decoded
    FROM pieces
)
SELECT $load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
       binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
       msg_len, decoded, kannel_lossy(text, coding, units, utf8, decoded), udh,
       kannel_segments(kind, coding, msg_len, udh, udh_len, septets, text),
       kannel_segments_exact(kind, udh_len, septets, text)
FROM derived
