-- Canonical rows typed and checked: row_no (1-based, file order), typed values, and the
-- reason a row is refused (NULL for a good row). The first problem found is the reason.
-- Timestamps: ISO 8601 with an offset ('+01:00', 'Z') within ±14:00; without one they are
-- read as UTC (naive_time: `ingest` warns when the contract's log_timezone is not UTC).
-- Integers and timestamps are checked as written (canonical_macros.sql) before the
-- cast, which would round 2.5, read 0x1, take BST as Bangladesh time and +25:00 as a day;
-- an integer the column's type cannot hold (a Parquet coding of 2^40) is said out of range.
-- An empty integer or boolean, quoted or not, is absent (its default); an empty number
-- (sender, receiver) is not logged: NULL, as a Kannel log without %p / %P has it.
CREATE OR REPLACE TEMP TABLE canonical_checked AS
WITH vocabulary (kind, outcome, default_label) AS (
    VALUES
        ('mt', 'accepted', 'Sent SMS'),
        ('mt', 'refused', 'REJECTED Send SMS'),
        ('mt', 'failed', 'FAILED Send SMS'),
        ('mt', 'discarded', 'DISCARDED SMS'),
        ('mt', 'expired', 'EXPIRED SMS'),
        ('mo', 'accepted', 'Receive SMS'),
        ('mo', 'refused', 'REJECTED Receive SMS'),
        ('dlr', 'accepted', 'Receive DLR'),
        ('dlr', 'unmatched', 'FAILED Receive DLR'),
        ('dlr_out', 'sent', 'Sent DLR'),
        ('dlr_out', 'refused', 'REJECTED Send DLR'),
        ('dlr_out', 'failed', 'FAILED Send DLR'),
        ('dlr_out', 'discarded', 'DISCARDED DLR'),
        ('dlr_out', 'expired', 'EXPIRED DLR'),
        ('dropped', 'mo', 'DROPPED Received SMS'),
        ('dropped', 'dlr', 'DROPPED Received DLR')
),

-- rowids of a table written in this transaction start at a transaction-local offset, but
-- they follow the file's order, one per row
rows_in_order AS (
    SELECT rowid - (SELECT min(rowid) FROM canonical_stage) + 1 AS row_no, s.*,
           canonical_offset(s.logged_at) AS offset_written
    FROM canonical_stage AS s
),

typed AS (
    SELECT
        r.*,
        canonical_timestamp_text(r.logged_at) AS time_as_written,
        -- (upper: RFC 3339 allows a lower-case t and z, which the cast refuses)
        CASE WHEN time_as_written THEN TRY_CAST(upper(trim(r.logged_at)) AS TIMESTAMPTZ) END AS logged_at_v,
        TRY_CAST(r.offset_written.hours AS INTEGER) * 60 + coalesce(TRY_CAST(r.offset_written.minutes AS INTEGER), 0)
            AS offset_minutes,
        time_as_written AND r.offset_written.sign = '' AND NOT regexp_matches(trim(r.logged_at), '[Zz]$') AS naive_time,
        CASE WHEN canonical_value(r.sender) IS NOT NULL THEN r.sender END AS sender_v,
        CASE WHEN canonical_value(r.receiver) IS NOT NULL THEN r.receiver END AS receiver_v,
        lower(trim(r.kind)) AS kind_v,
        lower(trim(r.outcome)) AS outcome_v,
        v.default_label,
        TRY_CAST(canonical_integer(r.mclass) AS SMALLINT) AS mclass_v,
        TRY_CAST(canonical_integer(r.coding) AS SMALLINT) AS coding_v,
        TRY_CAST(canonical_integer(r.mwi) AS SMALLINT) AS mwi_v,
        TRY_CAST(canonical_integer(r.compress) AS SMALLINT) AS compress_v,
        TRY_CAST(canonical_integer(r.dlr_mask) AS INTEGER) AS dlr_mask_v,
        TRY_CAST(canonical_integer(r.text_len) AS INTEGER) AS text_len_v,
        TRY_CAST(canonical_integer(r.segments) AS INTEGER) AS segments_v,
        TRY_CAST(canonical_value(r.text_lossy) AS BOOLEAN) AS text_lossy_v,
        TRY_CAST(canonical_value(r.segments_exact) AS BOOLEAN) AS segments_exact_v,
        upper(coalesce(trim(r.udh), '')) AS udh_v
    FROM rows_in_order AS r
    LEFT JOIN vocabulary AS v
        ON v.kind = lower(trim(r.kind)) AND v.outcome = lower(trim(r.outcome))
)

SELECT
    *,
    CASE
        WHEN coalesce(trim(logged_at), '') = '' THEN 'logged_at is empty'
        WHEN regexp_full_match(trim(logged_at), '[0-9]{4}-[0-9]{2}-[0-9]{2}')
            THEN 'logged_at has a date but no time of day: ' || logged_at
        WHEN time_as_written AND TRY_CAST(offset_written.minutes AS INTEGER) >= 60
            THEN 'logged_at has an offset whose minutes are not 00-59: ' || logged_at
        WHEN time_as_written AND offset_minutes > 14 * 60
            THEN 'logged_at has an offset beyond ±14:00: ' || logged_at
        -- (a zone name or abbreviation is not an offset: unparseable too)
        WHEN logged_at_v IS NULL THEN 'unparseable timestamp in logged_at: ' || logged_at
        WHEN logged_at_v < $earliest_event OR logged_at_v >= $latest_event
            THEN printf('logged_at is outside %d-%d (a damaged date): %s', year($earliest_event),
                        year($latest_event) - 1, logged_at)
        WHEN kind_v IS NULL OR kind_v NOT IN ('mt', 'mo', 'dlr', 'dlr_out', 'dropped')
            THEN 'unknown kind ' || coalesce('''' || kind || '''', '(empty)') || ' (expected mt, mo, dlr, dlr_out or dropped)'
        WHEN default_label IS NULL
            THEN 'unknown outcome ' || coalesce('''' || outcome || '''', '(empty)') || ' for kind ' || kind_v
        WHEN canonical_value(mclass) IS NOT NULL AND mclass_v IS NULL
            THEN canonical_integer_problem('mclass', mclass, '-32768 to 32767')
        WHEN canonical_value(coding) IS NOT NULL AND coding_v IS NULL
            THEN canonical_integer_problem('coding', coding, '-1, 0, 1 or 2')
        WHEN coding_v NOT IN (-1, 0, 1, 2) THEN 'coding must be -1, 0, 1 or 2, got ' || coding
        WHEN canonical_value(mwi) IS NOT NULL AND mwi_v IS NULL
            THEN canonical_integer_problem('mwi', mwi, '-32768 to 32767')
        WHEN canonical_value(compress) IS NOT NULL AND compress_v IS NULL
            THEN canonical_integer_problem('compress', compress, '-32768 to 32767')
        WHEN canonical_value(dlr_mask) IS NOT NULL AND dlr_mask_v IS NULL
            THEN canonical_integer_problem('dlr_mask', dlr_mask, '-2147483648 to 2147483647')
        WHEN canonical_value(text_len) IS NOT NULL AND text_len_v IS NULL
            THEN canonical_integer_problem('text_len', text_len, '-2147483648 to 2147483647')
        WHEN canonical_value(segments) IS NOT NULL AND segments_v IS NULL AND canonical_integer(segments) IS NOT NULL
            AND NOT starts_with(canonical_integer(segments), '-')
            THEN canonical_integer_problem('segments', segments, '1 to 2147483647')
        WHEN canonical_value(segments) IS NOT NULL AND (segments_v IS NULL OR segments_v < 1)
            THEN 'segments is not a positive integer: ' || segments
        WHEN canonical_value(text_lossy) IS NOT NULL AND text_lossy_v IS NULL THEN 'text_lossy is not true/false: ' || text_lossy
        WHEN canonical_value(segments_exact) IS NOT NULL AND segments_exact_v IS NULL
            THEN 'segments_exact is not true/false: ' || segments_exact
        WHEN NOT regexp_full_match(udh_v, '([0-9A-F]{2})*') THEN 'udh is not hexadecimal: ' || udh
        -- its first byte counts the bytes after it: a header written without it (`0003A10301`)
        -- or cut short read as no concatenation, a 3-part message as 3 messages (a probe)
        WHEN udh_v <> '' AND cast('0x' || left(udh_v, 2) AS INTEGER) <> length(udh_v) // 2 - 1
            THEN 'udh: its length byte ' || left(udh_v, 2) || ' announces ' || cast('0x' || left(udh_v, 2) AS INTEGER)
                 || ' byte(s) after it, ' || (length(udh_v) // 2 - 1) || ' follow (the header with its length '
                 || 'byte, as 050003A10301): ' || udh
    END AS reason
FROM typed
