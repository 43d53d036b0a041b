-- Kannel access log, staging step 4d: texts cut by a newline. Kannel 1.4.0 and 1.4.1 write a
-- text unescaped (tests/fixtures/kannel-older/README.md), so a newline in a message ends the
-- line: the line is cut short of its LEN ('truncated: ...') and the rest of the text, with
-- the fields after it, comes on the next line(s), which do not read either. Each such line
-- is read again joined to up to $join_lines of the lines after it that did not read and are
-- not cut lines themselves, by a newline each (hidden while the line is read, as in
-- kannel_again.sql: the fields are matched on one line, the text keeps its newline). The
-- shortest join that reads as an event is kept: the cut line becomes that event, the lines
-- it took become markers 'continued' (lines = events + markers + rejected). A line cut by a
-- damaged write, whose next line is an event or a marker, has nothing to join and stays
-- rejected. kannel_joined_apply.sql writes them back.
CREATE TEMP TABLE stg_kannel_joined AS
WITH cut AS (
    SELECT line_no FROM stg_kannel_slow
    WHERE state = 'reject' AND starts_with(reason, 'truncated: the text is shorter than its LEN')
),
-- the lines that may continue a cut line: rejected, and not cut lines themselves; grp names
-- each run of them on consecutive lines (line_no - rank is constant along a run)
loose AS (
    SELECT line_no, coalesce(line, '') AS line, line_no - row_number() OVER (ORDER BY line_no) AS grp
    FROM stg_kannel_slow
    WHERE state = 'reject' AND line_no NOT IN (SELECT line_no FROM cut)
),
-- the run right after each cut line, its first $join_lines lines (equality joins only: a
-- log with many lines cut by damage, each followed by an event, costs one lookup each)
run_lines AS (
    SELECT c.line_no AS cut_no, l.line_no, l.line, l.line_no - c.line_no AS k
    FROM cut AS c
    JOIN loose AS first ON first.line_no = c.line_no + 1
    JOIN loose AS l ON l.grp = first.grp AND l.line_no <= c.line_no + $join_lines
),
candidates AS (
    SELECT c.line_no, s.line, j.k AS variant, chr(10) AS hid,
           s.line || kannel_hidden()
               || array_to_string(list(r.line ORDER BY r.line_no), kannel_hidden()) AS pline
    FROM cut AS c
    JOIN stg_kannel_slow AS s USING (line_no)
    JOIN run_lines AS j ON j.cut_no = c.line_no
    JOIN run_lines AS r ON r.cut_no = c.line_no AND r.k <= j.k
    GROUP BY c.line_no, s.line, j.k
),
readings AS (
    SELECT * FROM kannel_read('candidates', $head_pattern, $head_names, $tail_pattern, $tail_names, $sliced,
                              $has_text, $coding_after_text, $coding_absent, $squeezed, $prefix, $time_source, $tz,
                              $smsbox_marks, $absent)
),
kept AS (
    SELECT *
    FROM readings
    WHERE reason_pre IS NULL AND reason_post IS NULL AND NOT time_unset
      AND own_time >= $earliest_event AND own_time < $latest_event
    QUALIFY row_number() OVER (PARTITION BY line_no ORDER BY variant) = 1
)
SELECT line_no, NULL::VARCHAR AS reason, 'event' AS state, NULL::VARCHAR AS marker, own_time AS logged_at,
       label, kind, outcome, smsc, service, account, binfo, fid, meta, sender, receiver,
       mclass, coding, mwi, compress, dlr_mask, msg_len, text, coalesce(udh_len, length(udh) // 2) AS udh_len, udh
FROM kept
UNION ALL
SELECT r.line_no, NULL, 'marker', 'continued', k.own_time,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM kept AS k
JOIN run_lines AS r ON r.cut_no = k.line_no AND r.k <= k.variant
