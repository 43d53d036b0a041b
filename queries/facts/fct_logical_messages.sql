-- One row per logical message (R1, R3, R11, R12): what the recipient reads as one message.
--   1. assembly: the parts of an application-split message share (smsc, service, oadc,
--      msisdn, concat_ref, concat_total); a gap over $retry_minutes between two of them starts
--      a new message (8-bit references cycle). Other lines are an assembly of their own (a
--      message the gateway split itself is one line already).
--   2. folding: an assembly with the same text to the same number by the same service, within
--      $retry_minutes after a failed attempt (a refused/failed/discarded/expired line, or an
--      accepted one whose final DLR is failed/expired/rejected), is the same logical message.
-- For each part (seq) the accepted line wins, then the latest; the "accepted attempt" is the
-- last accepted assembly of the logical message.
CREATE OR REPLACE TABLE fct_logical_messages AS
WITH concat_lines AS (
    SELECT
        mt_id,
        smsc, service, oadc, msisdn, concat_ref, concat_total,
        submitted_at,
        lag(submitted_at) OVER parts AS previous_at
    FROM int_mt
    WHERE concat_ref IS NOT NULL
    WINDOW parts AS (PARTITION BY smsc, service, oadc, msisdn, concat_ref, concat_total ORDER BY submitted_at, mt_id)
),

concat_sessions AS (
    SELECT
        *,
        sum(CASE WHEN previous_at IS NULL OR submitted_at - previous_at > to_minutes($retry_minutes::BIGINT) THEN 1 ELSE 0 END)
            OVER (PARTITION BY smsc, service, oadc, msisdn, concat_ref, concat_total ORDER BY submitted_at, mt_id) AS session_no
    FROM concat_lines
),

concat_assembly AS (
    SELECT
        mt_id,
        min(mt_id) OVER (PARTITION BY smsc, service, oadc, msisdn, concat_ref, concat_total, session_no) AS assembly_id
    FROM concat_sessions
),

assembly_lines AS (
    SELECT
        m.*,
        coalesce(a.assembly_id, m.mt_id) AS assembly_id,
        row_number() OVER (
            PARTITION BY coalesce(a.assembly_id, m.mt_id), coalesce(m.concat_seq, 0)
            ORDER BY (m.outcome = 'accepted') DESC, m.submitted_at DESC, m.mt_id DESC
        ) AS pick
    FROM int_mt AS m
    LEFT JOIN concat_assembly AS a USING (mt_id)
),

assemblies AS (
    SELECT
        assembly_id,
        list(mt_id ORDER BY mt_id) AS mt_ids,
        any_value(service) AS service,
        any_value(msisdn) AS msisdn,
        any_value(brand) AS brand,
        any_value(category) AS category,
        any_value(short_code) AS short_code,
        any_value(oadc) AS oadc,
        any_value(smsc) AS smsc,
        min(submitted_at) AS first_at,
        max(submitted_at) AS last_at,
        min(submitted_at) FILTER (WHERE outcome = 'accepted') AS first_accepted_at,
        bool_or(outcome = 'accepted') AS accepted,
        bool_or(outcome <> 'accepted' OR final_status IN ('failed', 'expired', 'rejected')) AS failed_attempt,
        coalesce(string_agg(text, '' ORDER BY concat_seq) FILTER (WHERE pick = 1), '') AS text,
        coalesce(bool_or(text_lossy) FILTER (WHERE pick = 1), false) AS text_lossy,
        max(coalesce(concat_total, 1)) AS parts_expected,
        count(DISTINCT coalesce(concat_seq, 0)) AS parts_seen,
        sum(coalesce(segments, 1)) FILTER (WHERE pick = 1 AND outcome = 'accepted')::INTEGER AS segments,
        bool_and(coalesce(segments_exact, true)) FILTER (WHERE pick = 1 AND outcome = 'accepted') AS segments_exact,
        count(*) FILTER (WHERE pick = 1 AND outcome = 'accepted') AS accepted_parts,
        count(*) FILTER (WHERE pick = 1 AND outcome = 'accepted' AND final_status = 'delivered') AS delivered_parts,
        count(*) FILTER (WHERE pick = 1 AND outcome = 'accepted' AND final_status = 'failed') AS failed_parts,
        count(*) FILTER (WHERE pick = 1 AND outcome = 'accepted' AND final_status = 'expired') AS expired_parts,
        count(*) FILTER (WHERE pick = 1 AND outcome = 'accepted' AND final_status = 'rejected') AS rejected_parts,
        count(final_status) FILTER (WHERE pick = 1 AND outcome = 'accepted') AS reported_parts,
        max(final_at) FILTER (WHERE pick = 1 AND outcome = 'accepted') AS final_at
    FROM assembly_lines
    GROUP BY assembly_id
),

attempts AS (
    SELECT
        *,
        CASE
            WHEN accepted_parts = 0 THEN NULL
            WHEN delivered_parts = accepted_parts THEN 'delivered'
            WHEN failed_parts > 0 THEN 'failed'
            WHEN expired_parts > 0 THEN 'expired'
            WHEN rejected_parts > 0 THEN 'rejected'
            WHEN reported_parts > 0 THEN 'pending'
        END AS final_status,
        lag(failed_attempt) OVER resend AS previous_failed,
        lag(last_at) OVER resend AS previous_at
    FROM assemblies
    WINDOW resend AS (PARTITION BY service, msisdn, text ORDER BY first_at, assembly_id)
),

folded AS (
    SELECT
        *,
        sum(CASE
                WHEN previous_failed AND first_at - previous_at <= to_minutes($retry_minutes::BIGINT) THEN 0
                ELSE 1
            END) OVER (PARTITION BY service, msisdn, text ORDER BY first_at, assembly_id) AS logical_no
    FROM attempts
),

grouped AS (
    SELECT
        *,
        min(assembly_id) OVER logical AS group_id,
        count(*) OVER logical AS attempts,
        row_number() OVER (PARTITION BY service, msisdn, text, logical_no ORDER BY accepted DESC, first_at DESC, assembly_id DESC) AS chosen
    FROM folded
    WINDOW logical AS (PARTITION BY service, msisdn, text, logical_no)
),

group_lines AS (
    SELECT
        group_id,
        list_sort(flatten(list(mt_ids))) AS mt_ids,
        coalesce(min(first_accepted_at), min(first_at)) AS submitted_at,
        bool_or(accepted) AS accepted
    FROM grouped
    GROUP BY group_id
)

SELECT
    g.mt_ids[1] AS logical_id,
    g.mt_ids,
    c.msisdn,
    c.service,
    c.brand,
    c.category,
    c.short_code,
    c.oadc,
    c.smsc,
    g.submitted_at,
    g.accepted,
    c.text,
    c.text_lossy,
    c.parts_expected,
    c.parts_seen,
    c.segments,
    c.segments_exact,
    c.attempts,
    c.final_status,
    c.final_at
FROM group_lines AS g
JOIN grouped AS c ON c.group_id = g.group_id AND c.chosen = 1
