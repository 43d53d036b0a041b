-- Kannel access log, staging step 4: the positional path. Each leftover line is an empty
-- line, a marker, an event or a reject with its reason, read by kannel_read
-- (kannel_macros.sql: the head up to the text by the plan's regular expression, free fields
-- lazy in their fixed order; the text sliced by its LEN; the tail checked).
--
-- A free field may hold a literal that ends a field in the format ($field_ends: the `;` of
-- '%p;%P', the '] [to:' of '[from:%p] [to:%P]'), e.g. the sender 'Shop;Paris'. This first
-- reading ends the field there: the line then does not read (its text is cut short, a
-- number is not a number), or reads with the value split over two fields. Such lines are
-- marked here (`extra`: per literal, how many more the line holds than the format writes)
-- and read again by kannel_again.sql: a line that does not read and holds a literal more
-- often than the format writes it ($field_end_counts; its known label and, when the text
-- was sliced and the tail followed it, its text aside), or that reads with a literal in a
-- free field other than the text. Every other line is read once, here.
CREATE TEMP TABLE stg_kannel_slow AS
WITH first_try AS (
    SELECT line_no, line, 0 AS variant, NULL::VARCHAR AS hid, line AS pline
    FROM stg_kannel_left
),
first_read AS (
    SELECT * FROM kannel_read('first_try', $head_pattern, $head_names, $tail_pattern, $tail_names, $sliced,
                              $has_text, $coding_after_text, $coding_absent, $squeezed, $prefix, $time_source, $tz,
                              $smsbox_marks, $absent)
),
-- A line whose message has no time (time_unset) was written between its neighbours, so it
-- takes the time of the nearest dated line before it (after it, for a first line): never 1969.
labelled AS (
    SELECT *,
           CASE WHEN NOT time_unset THEN own_time
                ELSE coalesce(
                    last_value(own_time IGNORE NULLS) OVER (ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
                    first_value(own_time IGNORE NULLS) OVER (ORDER BY line_no ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING))
           END AS logged_at
    FROM first_read
),
judged AS (
    SELECT *,
           CASE WHEN NOT is_marker
                THEN coalesce(reason_pre, kannel_time_reason(logged_at, $earliest_event, $latest_event), reason_post)
           END AS reason,
           -- (CASE, lazy: the literals are counted only in the lines that did not read, or
           -- read with one in a free field, joined and searched at once; a text matched whole
           -- holding one is as likely a reading as any other would be)
           CASE WHEN line IS NULL OR is_marker OR contains(line, kannel_hidden()) THEN NULL
                WHEN reason_pre IS NULL AND reason_post IS NULL
                     AND NOT regexp_matches(concat_ws(kannel_hidden(), smsc, service, account, binfo, fid, meta,
                                                      sender, receiver),
                                            $field_ends_pattern)
                    THEN NULL
                ELSE list_transform($field_ends, lambda e, i: kannel_count(line, e) - $field_end_counts[i]
                         - CASE WHEN kind IS NOT NULL THEN kannel_count(label, e) ELSE 0 END
                         -- (a text cut short is no text: it is the rest of the line, which
                         -- starts with the literal a free field pushed out, `;ACK/` of the
                         -- sender `Shop;Paris`)
                         - CASE WHEN head_ok AND tail_ok AND $sliced AND rest_chars >= head_len * chars_per_byte
                                THEN kannel_count(text, e) ELSE 0 END)
           END AS counted
    FROM labelled
)
SELECT line_no, line, reason,
       CASE WHEN is_marker THEN 'marker' WHEN reason IS NULL THEN 'event' ELSE 'reject' END AS state,
       CASE WHEN is_marker THEN lower(substr(line, 25)) END AS marker,
       CASE WHEN is_marker THEN timezone($tz, ts) ELSE logged_at END AS logged_at,
       label, kind, outcome, smsc, service, account, binfo, fid, meta, sender, receiver,
       -- a format with %u but no %U: the UDH's length is its hex digits / 2 (0 with no %u)
       mclass, coding, mwi, compress, dlr_mask, msg_len, text, coalesce(udh_len, length(udh) // 2) AS udh_len, udh,
       own_time, CASE WHEN list_max(counted) > 0 THEN counted END AS extra
FROM judged
