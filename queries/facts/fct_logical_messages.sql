-- One row per logical message (R1, R3, R11, R12): what the recipient reads as one message.
--   1. assembly: the parts of an application-split message share (short code, or smsc when
--      the line has none, service, oadc, msisdn, concat_ref, concat_total); a gap over greatest($retry_minutes, $part_gap)
--      between two of them starts a new message (8-bit references cycle; $part_gap, 10
--      minutes, so that retry_minutes = 0 does not split a message whose parts come seconds
--      apart). Within that, a part number the message already holds starts a new message
--      unless it is a resend of that part: the same text after a failed attempt of it
--      (applications that always use one reference, or a cycle of 256 references, give two
--      messages to one number the same key minutes apart: the second is not a resend of the
--      first). Other lines are an assembly of their own (a message the gateway split itself
--      is one line already).
--   2. folding: an assembly with the same text to the same number by the same service, within
--      $retry_minutes after a failed attempt (a refused/failed/discarded/expired line, or an
--      accepted one whose final DLR is failed/expired/rejected) is known to have failed (its
--      line, or its failing DLR), is the same logical message: an application resends when
--      it learns of the failure, which for an expiry may be hours after the submission. A
--      resend made before the failure was known folds when it comes within $retry_minutes of
--      that attempt (an application that timed out: the first attempt never reached the
--      recipient); later, it is a message of its own, on its own day (RULES.md: "within this
--      delay after a failed one"; a resend the next morning of a message whose expiry came
--      after it was folded into the day before, and hid an R1 breach there). A text the log does not carry (NULL) folds nothing: a resend cannot
--      be told.
-- For each part (seq) the accepted line wins, then the latest; the "accepted attempt" is the
-- last accepted assembly of the logical message (the last attempt when none was accepted).
-- A folded message also lists every attempt the platform accepted (accepted_attempts: time,
-- smsc, short code, OAdC), which fct_accepted_attempts.sql gives the audits one row each.
CREATE OR REPLACE TABLE fct_logical_messages AS
WITH RECURSIVE
-- MT lines as the messages read them: a partly sent line (fct_mt.partly_sent: part 1 of a
-- message Kannel split itself reached the recipient, a later part failed) is an accepted
-- attempt that failed (its final_status is 'rejected'), so the rules judge what was sent and
-- a resend of it within retry_minutes is the same message
-- (NOT MATERIALIZED: each reader takes the columns it needs, no copy of fct_mt). A delivery
-- report or an MO Kannel forwarded as an MT (fct_mt.forwarded) is no message.
mt AS NOT MATERIALIZED (
    SELECT * REPLACE (CASE WHEN partly_sent THEN 'accepted' ELSE outcome END AS outcome)
    FROM fct_mt
    WHERE forwarded IS NULL
),

concat_lines AS (
    SELECT
        mt_id,
        -- the parts' route: their short code (a handset joins parts on the sender and the
        -- reference, whichever bind or gateway each went through: parts sent on two
        -- connections the contract lists for one code are one message), the connection
        -- when the line has no short code
        short_code, CASE WHEN short_code IS NULL THEN smsc END AS smsc_without_code,
        service, oadc, msisdn, concat_ref, concat_total, concat_seq, text,
        submitted_at,
        outcome <> 'accepted' OR coalesce(final_status IN ('failed', 'expired', 'rejected'), false) AS failed_line,
        lag(submitted_at) OVER parts AS previous_at
    FROM mt
    WHERE concat_ref IS NOT NULL
    WINDOW parts AS (PARTITION BY short_code, smsc_without_code, service, oadc, msisdn, concat_ref, concat_total ORDER BY submitted_at, mt_id)
),

concat_sessions AS (
    SELECT
        *,
        sum(CASE WHEN previous_at IS NULL
                      OR submitted_at - previous_at > greatest(to_minutes($retry_minutes::BIGINT), $part_gap::INTERVAL)
                 THEN 1 ELSE 0 END)
            OVER (PARTITION BY short_code, smsc_without_code, service, oadc, msisdn, concat_ref, concat_total ORDER BY submitted_at, mt_id) AS session_no
    FROM concat_lines
),

-- each line against the line before it with the same part number in its session: a
-- repeat that is not a resend of a failed part (another text, or the earlier one went
-- through) cannot be in the same message as that earlier line
session_lines AS (
    SELECT
        *,
        min(mt_id) OVER (PARTITION BY short_code, smsc_without_code, service, oadc, msisdn, concat_ref, concat_total, session_no) AS session_id,
        row_number() OVER (PARTITION BY short_code, smsc_without_code, service, oadc, msisdn, concat_ref, concat_total, session_no
                           ORDER BY submitted_at, mt_id) AS pos
    FROM concat_sessions
),

repeats AS (
    SELECT
        session_id, pos,
        lag(pos) OVER same_part AS repeat_of_pos,
        coalesce(text <> lag(text) OVER same_part, false) OR NOT lag(failed_line) OVER same_part AS conflict
    FROM session_lines
    WINDOW same_part AS (PARTITION BY session_id, concat_seq ORDER BY pos)
    QUALIFY repeat_of_pos IS NOT NULL
),

conflicts AS (
    SELECT session_id, pos, repeat_of_pos, row_number() OVER (PARTITION BY session_id ORDER BY pos) AS k
    FROM repeats
    WHERE conflict
),

-- a conflicting line starts a new message unless a message started after the line it
-- repeats (then that line is in an earlier message already): walked conflict by conflict,
-- each session apart; only sessions with a repeated part number are walked (a handful)
message_starts AS (
    SELECT session_id, k, pos AS last_start, pos, true AS starts
    FROM conflicts
    WHERE k = 1
    UNION ALL
    SELECT
        c.session_id,
        c.k,
        CASE WHEN c.repeat_of_pos >= w.last_start THEN c.pos ELSE w.last_start END,
        c.pos,
        c.repeat_of_pos >= w.last_start
    FROM message_starts AS w
    JOIN conflicts AS c ON c.session_id = w.session_id AND c.k = w.k + 1
),

concat_messages AS (
    SELECT
        l.mt_id,
        l.session_id,
        sum(CASE WHEN s.starts THEN 1 ELSE 0 END) OVER (PARTITION BY l.session_id ORDER BY l.pos) AS message_no
    FROM session_lines AS l
    LEFT JOIN message_starts AS s ON s.session_id = l.session_id AND s.pos = l.pos
),

concat_assembly AS (
    SELECT mt_id, min(mt_id) OVER (PARTITION BY session_id, message_no) AS assembly_id
    FROM concat_messages
),

concat_parts AS (
    SELECT
        m.*,
        a.assembly_id,
        row_number() OVER (
            PARTITION BY a.assembly_id, m.concat_seq
            ORDER BY (m.outcome = 'accepted') DESC, m.submitted_at DESC, m.mt_id DESC
        ) AS pick
    FROM mt AS m
    JOIN concat_assembly AS a USING (mt_id)
),

concat_assemblies AS (
    SELECT
        assembly_id,
        list(mt_id ORDER BY mt_id) AS mt_ids,
        any_value(service) AS service,
        any_value(msisdn) AS msisdn,
        any_value(brand) AS brand,
        any_value(category) AS category,
        any_value(short_code) AS short_code,
        any_value(oadc) AS oadc,
        arg_min(smsc, {'at': submitted_at, 'id': mt_id}) AS smsc,   -- (its first part's: parts may take two binds)
        min(submitted_at) AS first_at,
        max(submitted_at) AS last_at,
        min(submitted_at) FILTER (WHERE outcome = 'accepted') AS first_accepted_at,
        -- the line of that time (the smallest id when parts share the second): the raw line
        -- an audit of the attempt points at (breach_mt_id)
        arg_min(mt_id, {'at': submitted_at, 'id': mt_id}) FILTER (WHERE outcome = 'accepted') AS first_accepted_mt_id,
        -- its last accepted line: a part resent after a failure, or the second part of a
        -- message that straddles 22:00:00, reaches the recipient then (R2's late deliveries)
        max(submitted_at) FILTER (WHERE outcome = 'accepted') AS last_accepted_at,
        arg_max(mt_id, {'at': submitted_at, 'id': mt_id}) FILTER (WHERE outcome = 'accepted') AS last_accepted_mt_id,
        bool_or(outcome = 'accepted') AS accepted,
        -- judged on the lines that make the message (pick = 1), as final_status below: a part
        -- refused, then resent and delivered within the assembly, is no failed attempt
        coalesce(bool_or(outcome <> 'accepted' OR final_status IN ('failed', 'expired', 'rejected')) FILTER (WHERE pick = 1),
                 false) AS failed_attempt,
        -- when the failure was known: the refused line, or the DLR saying the part failed
        max(CASE WHEN outcome <> 'accepted' THEN submitted_at
                 WHEN final_status IN ('failed', 'expired', 'rejected') THEN greatest(submitted_at, final_at)
            END) FILTER (WHERE pick = 1) AS failed_at,
        -- NULL (not logged) when a part's text is
        CASE WHEN NOT bool_or(text IS NULL) FILTER (WHERE pick = 1)
             THEN coalesce(string_agg(text, '' ORDER BY concat_seq) FILTER (WHERE pick = 1), '') END AS text,
        coalesce(bool_or(text_lossy) FILTER (WHERE pick = 1), false) AS text_lossy,
        max(concat_total) AS parts_expected,
        count(DISTINCT concat_seq) AS parts_seen,
        sum(segments) FILTER (WHERE pick = 1 AND outcome = 'accepted')::INTEGER AS segments,
        bool_and(segments_exact) FILTER (WHERE pick = 1 AND outcome = 'accepted') AS segments_exact,
        CASE
            WHEN count(*) FILTER (WHERE pick = 1 AND outcome = 'accepted') = 0 THEN NULL
            WHEN count(*) FILTER (WHERE pick = 1 AND outcome = 'accepted' AND final_status = 'delivered')
                = count(*) FILTER (WHERE pick = 1 AND outcome = 'accepted') THEN 'delivered'
            WHEN bool_or(final_status = 'failed') FILTER (WHERE pick = 1 AND outcome = 'accepted') THEN 'failed'
            WHEN bool_or(final_status = 'expired') FILTER (WHERE pick = 1 AND outcome = 'accepted') THEN 'expired'
            WHEN bool_or(final_status = 'rejected') FILTER (WHERE pick = 1 AND outcome = 'accepted') THEN 'rejected'
            WHEN count(final_status) FILTER (WHERE pick = 1 AND outcome = 'accepted') > 0 THEN 'pending'
        END AS final_status,
        max(final_at) FILTER (WHERE pick = 1 AND outcome = 'accepted') AS final_at
    FROM concat_parts
    GROUP BY assembly_id
),

single_assemblies AS (
    SELECT
        mt_id AS assembly_id,
        [mt_id] AS mt_ids,
        service, msisdn, brand, category, short_code, oadc, smsc,
        submitted_at AS first_at,
        submitted_at AS last_at,
        CASE WHEN outcome = 'accepted' THEN submitted_at END AS first_accepted_at,
        CASE WHEN outcome = 'accepted' THEN mt_id END AS first_accepted_mt_id,
        CASE WHEN outcome = 'accepted' THEN submitted_at END AS last_accepted_at,
        CASE WHEN outcome = 'accepted' THEN mt_id END AS last_accepted_mt_id,
        outcome = 'accepted' AS accepted,
        outcome <> 'accepted' OR coalesce(final_status IN ('failed', 'expired', 'rejected'), false) AS failed_attempt,
        CASE WHEN outcome <> 'accepted' THEN submitted_at
             WHEN final_status IN ('failed', 'expired', 'rejected') THEN greatest(submitted_at, final_at)
        END AS failed_at,
        text,   -- NULL: not logged (a gateway that keeps texts out of its log)
        coalesce(text_lossy, false) AS text_lossy,
        1 AS parts_expected,
        1 AS parts_seen,
        CASE WHEN outcome = 'accepted' THEN segments END AS segments,
        CASE WHEN outcome = 'accepted' THEN segments_exact END AS segments_exact,
        CASE WHEN outcome = 'accepted' THEN final_status END AS final_status,
        CASE WHEN outcome = 'accepted' THEN final_at END AS final_at
    FROM mt
    WHERE concat_ref IS NULL
),

assemblies AS (
    SELECT * FROM single_assemblies
    UNION ALL BY NAME
    SELECT * FROM concat_assemblies
),

-- Each assembly against its neighbours in its resend chain (same service, number and text,
-- by time): does it fold into the one before, does the one after fold into it? Texts are
-- partitioned by their hash and compared for real before folding.
chained AS (
    SELECT
        *,
        hash(text) AS text_key,
        coalesce(lag(failed_attempt) OVER resend AND lag(text) OVER resend = text
                 AND first_at - greatest(lag(last_at) OVER resend, lag(failed_at) OVER resend)
                     <= to_minutes($retry_minutes::BIGINT)
                 -- made before the failure was known: within $retry_minutes of that attempt
                 AND (first_at >= coalesce(lag(failed_at) OVER resend, lag(last_at) OVER resend)
                      OR first_at - lag(last_at) OVER resend <= to_minutes($retry_minutes::BIGINT)),
                 false) AS folds_into_previous,
        coalesce(failed_attempt AND lead(text) OVER resend = text
                 AND lead(first_at) OVER resend - greatest(last_at, failed_at) <= to_minutes($retry_minutes::BIGINT)
                 AND (lead(first_at) OVER resend >= coalesce(failed_at, last_at)
                      OR lead(first_at) OVER resend - last_at <= to_minutes($retry_minutes::BIGINT)),
                 false) AS next_folds_in
    FROM assemblies
    WINDOW resend AS (PARTITION BY service, msisdn, hash(text) ORDER BY first_at, assembly_id)
),

-- Almost every assembly is a logical message on its own: it passes straight through. Only
-- the chains of resends are numbered (a new logical message where an assembly does not fold
-- into the one before) and aggregated: removing the lone assemblies leaves every chain whole.
chains AS (
    SELECT
        *,
        sum(CASE WHEN folds_into_previous THEN 0 ELSE 1 END)
            OVER (PARTITION BY service, msisdn, text_key ORDER BY first_at, assembly_id) AS logical_no
    FROM chained
    WHERE folds_into_previous OR next_folds_in
),

-- arg_max_null: the chosen attempt's value even when it is NULL
folded_chains AS (
    SELECT
        min(assembly_id) AS logical_id,
        list_sort(flatten(list(mt_ids))) AS mt_ids,
        arg_max_null(msisdn, chosen) AS msisdn,
        arg_max_null(service, chosen) AS service,
        arg_max_null(brand, chosen) AS brand,
        arg_max_null(category, chosen) AS category,
        arg_max_null(short_code, chosen) AS short_code,
        arg_max_null(oadc, chosen) AS oadc,
        arg_max_null(smsc, chosen) AS smsc,
        coalesce(min(first_accepted_at), min(first_at)) AS submitted_at,
        arg_min(first_accepted_mt_id, {'at': first_accepted_at, 'id': assembly_id}) FILTER (WHERE accepted) AS first_accepted_mt_id,
        max(last_accepted_at) AS last_accepted_at,
        arg_max(last_accepted_mt_id, {'at': last_accepted_at, 'id': last_accepted_mt_id}) FILTER (WHERE accepted) AS last_accepted_mt_id,
        bool_or(accepted) AS accepted,
        arg_max_null(text, chosen) AS text,
        arg_max_null(text_lossy, chosen) AS text_lossy,
        arg_max_null(parts_expected, chosen) AS parts_expected,
        arg_max_null(parts_seen, chosen) AS parts_seen,
        arg_max_null(segments, chosen) AS segments,
        arg_max_null(segments_exact, chosen) AS segments_exact,
        count(*) AS attempts,
        -- every attempt the platform accepted: the rules on what was sent (R2-R7) judge each
        list({'submitted_at': first_accepted_at, 'smsc': smsc, 'short_code': short_code, 'oadc': oadc,
              'mt_id': first_accepted_mt_id}
             ORDER BY first_accepted_at, assembly_id) FILTER (WHERE accepted) AS accepted_attempts,
        arg_max_null(final_status, chosen) AS final_status,
        arg_max_null(final_at, chosen) AS final_at
    FROM (
        SELECT *, {'accepted': accepted, 'first_at': first_at, 'assembly_id': assembly_id} AS chosen
        FROM chains
    )
    GROUP BY service, msisdn, text_key, logical_no
)

SELECT
    assembly_id AS logical_id,
    mt_ids,   -- in mt_id order already
    msisdn,
    service,
    brand,
    category,
    short_code,
    oadc,
    smsc,
    coalesce(first_accepted_at, first_at) AS submitted_at,
    first_accepted_mt_id,
    last_accepted_at,
    last_accepted_mt_id,
    accepted,
    text,
    text_lossy,
    parts_expected,
    parts_seen,
    segments,
    segments_exact,
    1::BIGINT AS attempts,
    -- (one attempt: the row itself)
    NULL::STRUCT(submitted_at TIMESTAMPTZ, smsc VARCHAR, short_code VARCHAR, oadc VARCHAR, mt_id BIGINT)[] AS accepted_attempts,
    final_status,
    final_at
FROM chained
WHERE NOT folds_into_previous AND NOT next_folds_in
UNION ALL BY NAME
SELECT * FROM folded_chains
