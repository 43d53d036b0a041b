-- Kannel access log, staging step 4b: the lines kannel_slow.sql marked (`extra`: a literal
-- that ends a free field is held more often than the format writes it, and the line did not
-- read or read with one in a free field; e.g. the sender 'Shop;Paris' of '%p;%P') read
-- again, with each run of up to 4 of the literal's first 24 occurrences taken as part of a
-- field (their first character hidden, kannel_hidden). The reading kept: one that fits
-- (every typed field parses, the text ends where its LEN says, the tail follows); among
-- several, a plausible one (`shaped`), holding the literal in the field that holds it on the
-- most lines (`votes`), then the one whose fields holding such a literal are the likeliest to
-- (kannel_penalty: a sender before a service name or a message id, a recipient number last),
-- then the first reading, then the earliest occurrence. With none, the first reading, its reason saying
-- that the other readings were tried. kannel_again_apply.sql writes them back.
-- Values holding a delimiter are few: when more than half of the load's $lines lines (and
-- more than $reread_always) would be read again, the format most likely does not match the
-- log (a field more or less than it says), and reading them again would fit values to it:
-- none is (kannel.py says so).
CREATE TEMP TABLE stg_kannel_again AS
WITH flagged AS (
    SELECT line_no, line, extra FROM stg_kannel_slow WHERE extra IS NOT NULL
),
retry AS (
    SELECT * FROM flagged
    WHERE (SELECT count(*) FROM flagged) <= greatest($reread_always, $lines // 2)
),
per_end AS (
    SELECT line_no, line, e, left(e, 1) AS c, least(extra, 4) AS widest
    FROM (SELECT line_no, line, unnest($field_ends) AS e, unnest(extra) AS extra FROM retry)
    WHERE extra > 0
),
-- the positions of the literal's first 24 occurrences, from the lengths of the pieces between
-- them (a position search over every character would cost the square of a line's length: a
-- line of a megabyte of NUL bytes, what a crash leaves, took minutes)
placed AS (
    SELECT *,
           list_transform(range(1, least(len(pieces), 25)),
                          lambda j: (list_sum(list_transform(pieces[1:j], lambda x: length(x)))
                                     + (j - 1) * length(e) + 1)::BIGINT)
               AS pos
    FROM (SELECT *, string_split(line, e) AS pieces FROM per_end)
),
starts AS (
    SELECT *, unnest(range(1, len(pos) + 1)) AS j FROM placed
),
spans AS (
    SELECT *, unnest(range(1, widest + 1)) AS w FROM starts
),
again AS (
    SELECT line_no, line, 0 AS variant, NULL::VARCHAR AS hid, line AS pline FROM retry
    UNION ALL
    SELECT line_no, line,
           row_number() OVER (PARTITION BY line_no ORDER BY list_position($field_ends, e), j, w) AS variant,
           c AS hid,
           left(line, pos[j] - 1)
               || replace(substr(line, pos[j], pos[j + w - 1] - pos[j] + 1), c, kannel_hidden())
               || substr(line, pos[j + w - 1] + 1) AS pline
    FROM spans
    WHERE j + w - 1 <= len(pos)
),
readings AS (
    SELECT * FROM kannel_read('again', $head_pattern, $head_names, $tail_pattern, $tail_names, $sliced,
                              $has_text, $coding_after_text, $coding_absent, $squeezed, $prefix, $time_source, $tz,
                              $smsbox_marks, $absent)
),
ranked AS (
    SELECT *,
           CASE WHEN reason_pre IS NULL AND reason_post IS NULL
                     AND (time_unset OR (own_time >= $earliest_event AND own_time < $latest_event))
                THEN kannel_penalty($field_ends, NOT $sliced, text, sender, binfo, account, meta, service,
                                    smsc, fid, receiver) END AS penalty
    FROM readings
),
-- Readings Kannel would hardly have written: a META that is not `?group?...` (Kannel writes
-- it so, or nothing), a recipient that is not a number, a value that starts or ends with the
-- literal (a value holds it between two words: `Shop;Paris`, `a;b`; `b;` or `;41000001` is a
-- field boundary moved). Such a reading is kept only when no other fits.
-- A value that merely joins a value the field holds on lines read without doubt to the next
-- field's (`ora_36181;acme` where other lines have smsc `ora_36181` and service `acme`) is
-- also such a reading.
-- (the free fields only, ranked as kannel_penalty: a text is never a joined value, and
-- gathering every distinct text of a load would cost more than all the rest)
known AS (
    SELECT DISTINCT unnest([1, 2, 3, 4, 5, 6, 7, 8]) AS rank,
           unnest([sender, binfo, account, meta, service, smsc, fid, receiver]) AS value
    FROM stg_kannel_slow
    WHERE extra IS NULL AND reason IS NULL AND EXISTS (SELECT 1 FROM retry)
),
shaped AS (
    SELECT r.*,
           -- (of a reading that fits: one that does not is ranked by its variant alone)
           CASE WHEN r.penalty IS NOT NULL THEN
               (coalesce(r.meta, '') <> '' AND NOT starts_with(r.meta, '?'))::INTEGER
               + (coalesce(r.receiver, '') <> '' AND NOT regexp_full_match(r.receiver, '\+?[0-9]+'))::INTEGER
               + coalesce(len(list_filter($field_ends, lambda e: starts_with(r.held_value, e) OR ends_with(r.held_value, e))) > 0,
                          false)::INTEGER
               + (k.value IS NOT NULL)::INTEGER
           END AS implausible
    FROM (
        SELECT *,
               CASE WHEN penalty >= 0
                    THEN [text, sender, binfo, account, meta, service, smsc, fid, receiver][penalty + 1] END AS held_value,
               -- the held value up to its first hidden literal
               CASE WHEN penalty > 0 AND hid IS NOT NULL
                    THEN split_part([text, sender, binfo, account, meta, service, smsc, fid, receiver][penalty + 1], hid, 1)
               END AS held_head
        FROM ranked
    ) AS r
    LEFT JOIN known AS k ON k.rank = r.penalty AND k.value = r.held_head AND k.value <> ''
),
-- A value holding the literal is the same on many lines (a service name, an SMSC login, a
-- connection's id): a field and value that a plausible reading of more lines gives is
-- preferred (a service `a;b` on every line, also readable on its receipts as an account
-- `b;acme36181`), then kannel_penalty decides.
votes AS (
    SELECT penalty, held_value, count(DISTINCT line_no) AS lines
    FROM shaped
    WHERE penalty IS NOT NULL AND implausible = 0
    GROUP BY penalty, held_value
),
best AS (
    SELECT shaped.*
    FROM shaped
    LEFT JOIN votes USING (penalty, held_value)
    QUALIFY row_number() OVER (PARTITION BY line_no
                               ORDER BY penalty IS NULL, implausible, votes.lines DESC NULLS LAST, penalty, variant) = 1
),
-- a reading without a time of its own takes the nearest dated line's, as in kannel_slow.sql
-- (the dated lines are gathered only when a kept reading needs them)
dated AS (
    SELECT line_no, own_time FROM stg_kannel_slow
    WHERE own_time IS NOT NULL AND EXISTS (SELECT 1 FROM best WHERE time_unset)
),
timed AS (
    SELECT best.*,
           CASE WHEN NOT best.time_unset THEN best.own_time ELSE coalesce(before.own_time, after.own_time) END AS logged_at
    FROM best
    ASOF LEFT JOIN dated AS before ON best.line_no > before.line_no
    ASOF LEFT JOIN dated AS after ON best.line_no < after.line_no
),
judged AS (
    SELECT *,
           coalesce(reason_pre, kannel_time_reason(logged_at, $earliest_event, $latest_event), reason_post) AS first_reason,
           -- (said of the reasons a misplaced field can cause: not of an unknown label)
           CASE WHEN regexp_matches(first_reason, '^(fields missing|LEN of|truncated|the text does not end|a flag is out|the text has)')
                THEN first_reason || printf(' (no other reading fits either, with a "%s" of the line inside a field)',
                                            array_to_string(list_distinct(list_transform($field_ends, lambda e: left(e, 1))), '" or "'))
                ELSE first_reason END AS reason
    FROM timed
)
SELECT line_no, reason, CASE WHEN reason IS NULL THEN 'event' ELSE 'reject' END AS state, logged_at,
       variant,
       -- the field that holds the delimiter in the reading kept (kannel_penalty's ranks)
       ['text', 'sender', 'binfo', 'account', 'meta', 'service', 'smsc', 'fid', 'receiver'][penalty + 1] AS held,
       label, kind, outcome, smsc, service, account, binfo, fid, meta, sender, receiver,
       mclass, coding, mwi, compress, dlr_mask, msg_len, text, coalesce(udh_len, length(udh) // 2) AS udh_len, udh
FROM judged
