-- One row per MT line (R1-R14 read it): numbers, short code, brand, the concatenation
-- reference from the UDH, the final DLR status, and the logical message it belongs to.
-- logical_id starts as the line's own id, which it is for almost every line (a one-line
-- message); fct_logical_messages then reads this table and fct_mt_logical.sql sets the id of
-- the lines of a multi-line message (parts, folded resends). Written once, not copied: a
-- second CREATE ... AS with one more column cost as much as writing the table itself.
-- The concatenation reference, total and sequence number come from the UDH (udh_concat_fields,
-- facts/macros.sql).
CREATE OR REPLACE TABLE fct_mt AS
-- The connection of a line Kannel logged with an empty SMSC is the one it went out on, when
-- the lines of its FID or its other parts say it (int_line_connection.sql): its short code
-- follows from it.
WITH mt_lines AS (
    SELECT
        event_id(e.load_id, e.line_no) AS mt_id,
        e.* REPLACE (coalesce(c.smsc, e.smsc) AS smsc)
    FROM events AS e
    LEFT JOIN int_line_connection AS c ON c.line_id = event_id(e.load_id, e.line_no)
    WHERE e.kind = 'mt'
),

-- loads of Kannel logs, where a failure line's FID means part 1 was accepted (partly_sent);
-- a platform's export may give a refused row an id of its own
kannel_loads AS (
    SELECT load_id FROM load_manifest WHERE format = 'kannel'
),

-- MOs Kannel sent back out as MTs (reroute, reroute-smsc-id, reroute-receiver): `Sent SMS`
-- with no service and the MO's numbers and text, logged at most $forward_delay after the
-- MO's `Receive SMS` line in the same log
forwarded_mos AS (
    SELECT DISTINCT m.mt_id
    FROM mt_lines AS m
    JOIN kannel_loads AS k ON k.load_id = m.load_id
    JOIN events AS o
        ON o.kind = 'mo' AND o.load_id = m.load_id AND o.sender = m.sender AND o.receiver = m.receiver
        AND o.text IS NOT DISTINCT FROM m.text
        AND o.logged_at BETWEEN m.logged_at - $forward_delay::INTERVAL AND m.logged_at AND o.line_no < m.line_no
    WHERE coalesce(m.service, '') = ''
),

-- a sender name (OAdC option) that one short code of the contract declares, and no other:
-- the short code of a line written from it, when the contract maps no connection at all
-- (with a mapping, a line on another connection may be the same brand's traffic to another
-- operator, under the same name)
oadc_codes AS (
    SELECT name, min(code) AS code
    FROM (SELECT unnest(oadc) AS name, code FROM ref_short_codes)
    WHERE NOT EXISTS (SELECT 1 FROM ref_connections)
    GROUP BY name
    HAVING count(DISTINCT code) = 1
)

SELECT
    m.mt_id,
    m.load_id,
    m.line_no,
    m.logged_at AS submitted_at,
    m.label,
    m.outcome,
    m.smsc,
    m.service,
    m.account,
    m.binfo,
    m.fid,
    m.meta,
    s.brand,
    coalesce(s.category, 'unknown') AS category,
    coalesce(sc.code, short_code_written(m.sender), o.code) AS short_code,
    m.sender AS oadc,
    coalesce(n.msisdn, m.receiver) AS msisdn,
    m.receiver AS msisdn_raw,
    coalesce(n.number_kind, 'malformed') AS number_kind,
    n.territory AS number_territory,
    m.coding,
    m.dlr_mask AS dlr_mask_requested,
    m.mclass,
    m.mwi,
    m.text_len,
    m.text,
    m.text_lossy,
    m.udh,
    c.concat_ref,
    c.concat_total,
    c.concat_seq,
    -- a line whose segments the log did not let us count (coding 1/2 with neither text nor
    -- length: events.segments NULL) is one submit, counted 1 by every reader (R8, R9, the
    -- bill), and that count is not exact
    coalesce(m.segments, 1) AS segments,
    m.segments IS NOT NULL AND coalesce(m.segments_exact, true) AS segments_exact,
    -- the most segments the line may stand for (R8 "possibly over"): its count when exact;
    -- for a lossy GSM text, every '.' read as one character (a literal dot, CR or LF) rather
    -- than half of a 2-byte letter, with extension characters 2 and parts one septet smaller
    -- (a dot may hide a '€' that Kannel moves to the next part: segment_macros.sql); NULL
    -- when the log gives no text to bound it
    CASE
        WHEN m.segments IS NULL THEN NULL
        WHEN coalesce(m.segments_exact, true) THEN m.segments
        WHEN m.text IS NULL OR coalesce(m.coding, 0) IN (1, 2) THEN NULL
        ELSE greatest(m.segments, gsm_segments_high(gsm_septets(m.text), m.text, strlen(coalesce(m.udh, '')) // 2))
    END AS segments_max,
    CASE
        WHEN m.outcome = 'accepted' THEN st.final_status
        -- a failure line with a FID (partly_sent): the message as a whole failed, whichever
        -- of Kannel's NACK and part 1's receipts was logged last
        WHEN st.final_status = 'rejected' OR (k.load_id IS NOT NULL AND m.fid <> '' AND st.mt_id IS NOT NULL)
            THEN 'rejected'
    END AS final_status,
    st.final_at,
    st.final_stat,
    st.final_done_date,
    st.dlr_err,
    coalesce(st.dlr_lines, 0) AS dlr_lines,
    -- a message Kannel split itself whose part 1 the SMSC accepted and a later part failed:
    -- its one failure line carries part 1's id (Kannel records the id only from an accepted
    -- submit_sm_resp; a message refused whole has no FID), and part 1's receipts follow. The
    -- recipient got part of it: fct_logical_messages counts it as an attempt that reached
    -- the number, then failed
    coalesce(m.outcome <> 'accepted' AND k.load_id IS NOT NULL AND m.fid <> '', false) AS partly_sent,
    st.acked_at,
    -- what Kannel forwarded as an MT: 'dlr', a delivery report (reroute-dlr: `Sent SMS` on the
    -- connection reroute-smsc-id names, its META carrying the DLR's `orig_msg` group, its text
    -- `ACK/` or the receipt; a platform's export may put anything in meta); 'mo', an MO
    -- (forwarded_mos). A submit on that link, but no message of a brand: fct_logical_messages
    -- leaves it out
    CASE
        WHEN k.load_id IS NOT NULL AND contains(m.meta, '?orig_msg?') THEN 'dlr'
        WHEN f.mt_id IS NOT NULL THEN 'mo'
    END AS forwarded,
    m.mt_id AS logical_id   -- until fct_mt_logical.sql
FROM mt_lines AS m
LEFT JOIN udh_concat_fields('mt_lines') AS c USING (udh)   -- facts/macros.sql
LEFT JOIN ref_services AS s ON s.name = m.service
LEFT JOIN ref_connections AS sc ON sc.smsc = m.smsc
LEFT JOIN oadc_codes AS o ON o.name = m.sender
LEFT JOIN int_msisdn AS n ON n.raw = m.receiver
LEFT JOIN fct_mt_status AS st USING (mt_id)
LEFT JOIN kannel_loads AS k ON k.load_id = m.load_id
LEFT JOIN forwarded_mos AS f ON f.mt_id = m.mt_id
