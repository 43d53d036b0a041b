-- Macros of the fact layer (temporary: defined on the building connection before the steps).
-- The id of an event everywhere downstream (mt_id, dlr_id, mo_id; docs/schema.md): its
-- provenance (load_id, line_no) as one BIGINT.
CREATE OR REPLACE TEMP MACRO event_id(load_id, line_no) AS load_id::BIGINT * 10000000000 + line_no;

-- The short code a sender (MT) or receiver (MO) written as a number names, when the contract
-- maps no connection to one: five digits, also behind the French country code that some SMSCs
-- put before it (`+3336180`, `+33 36180`, `0033 36180`), or behind a lone '+' (Kannel adds it
-- to an address of type international: `+34180`, real Kannel 1.4.5); NULL for anything else.
CREATE OR REPLACE TEMP MACRO short_code_written(x) AS CASE
    WHEN regexp_full_match(x, '\+?[0-9]{5}') THEN right(x, 5)
    WHEN regexp_full_match(x, '(\+33|0033|33) ?[0-9]{5}') THEN right(x, 5)
END;

-- The DLR status mask Kannel logs for an SMPP receipt's `stat:` (handle_dlr in
-- gw/smsc/smsc_smpp.c: DELIVRD 1; ACCEPTD, ACKED, BUFFRED, BUFFERD, ENROUTE 4 buffered; any
-- other stat 2 failed; EXPIRED 34 as 1.4.5 logs it); NULL without one. For DLR lines whose
-- log carries no mask (fct_dlr) or an unset one (a FAILED Receive DLR: fct_mt_status).
CREATE OR REPLACE TEMP MACRO stat_mask(stat) AS CASE
    WHEN stat IS NULL OR stat = '' THEN NULL
    WHEN stat = 'DELIVRD' THEN 1
    WHEN stat IN ('ACCEPTD', 'ACKED', 'BUFFRED', 'BUFFERD', 'ENROUTE') THEN 4
    WHEN stat = 'EXPIRED' THEN 34
    ELSE 2
END;

-- The concatenation IE of each UDH (hex) of the table or CTE named `src` (column udh): UDHL,
-- then information elements (IEI, length, data); the concatenation IE is 00 (length 3: ref 1
-- byte, total, seq) or 08 (length 4: ref 2 bytes, total, seq), found wherever it stands among
-- the IEs (e.g. after a 05 port-addressing IE). One row per distinct UDH that holds one (MT
-- parts: fct_mt; MO parts Kannel did not combine: fct_mo). (The loaders only ask whether a
-- UDH holds one, per line: the scalar udh_concat of reference/segment_macros.sql.)
CREATE OR REPLACE TEMP MACRO udh_concat_fields(src) AS TABLE
WITH RECURSIVE udh_values AS (
    SELECT DISTINCT udh FROM query_table(src) WHERE length(udh) >= 6
),

udh_ies (udh, pos, iei, ie_data) AS (
    SELECT udh, 3, NULL::VARCHAR, NULL::VARCHAR FROM udh_values
    UNION ALL
    SELECT udh, pos + 4 + 2 * ie_len, substr(udh, pos, 2), substr(udh, pos + 4, 2 * ie_len)
    FROM (
        SELECT udh, pos, TRY_CAST('0x' || substr(udh, pos + 2, 2) AS INTEGER) AS ie_len
        FROM udh_ies
        WHERE pos + 3 <= length(udh)
    )
    WHERE ie_len IS NOT NULL
)

SELECT
    udh,
    TRY_CAST('0x' || CASE iei WHEN '00' THEN substr(ie_data, 1, 2) ELSE substr(ie_data, 1, 4) END AS INTEGER) AS concat_ref,
    TRY_CAST('0x' || substr(ie_data, length(ie_data) - 3, 2) AS INTEGER) AS concat_total,
    TRY_CAST('0x' || right(ie_data, 2) AS INTEGER) AS concat_seq
FROM udh_ies
WHERE (iei = '00' AND length(ie_data) = 6) OR (iei = '08' AND length(ie_data) = 8)
QUALIFY row_number() OVER (PARTITION BY udh ORDER BY pos) = 1;

-- Every DLR line of the events (and `DROPPED Received DLR`, a receipt Kannel matched but no
-- box took), with the keys it is linked on (int_dlr_links.sql) and the columns fct_dlr keeps:
-- its connection (a line Kannel logged with an empty SMSC, on the connection of the lines of
-- its FID: int_line_connection), its source (Kannel's own ACK/NACK or a receipt) and whether
-- it ends its message (Kannel removes the MT's entry from its DLR store on it: the mask, or
-- without %d the receipt's stat). Read where used, not materialised: both steps read it.
-- (`connections`: the name of int_line_connection, which a step before them writes: a macro
-- naming it outright could not be defined before it exists.)
CREATE OR REPLACE TEMP MACRO dlr_event_lines(connections) AS TABLE
SELECT
    event_id(load_id, line_no) AS dlr_id,
    load_id,
    line_no,
    label,
    account,
    dlr_mask,
    text,
    meta,
    logged_at,
    coalesce(nullif(e.smsc, ''), c.smsc, '') AS smsc,
    coalesce(fid, '') AS fid,
    coalesce(service, '') AS service,
    coalesce(sender, '') AS sender,
    coalesce(receiver, '') AS receiver,
    CASE WHEN kind = 'dropped' THEN 'dropped' ELSE outcome END AS outcome,
    CASE
        WHEN dlr_mask > 0 AND dlr_mask & 16 = 16 OR starts_with(coalesce(text, ''), 'NACK/') THEN 'kannel_nack'
        WHEN dlr_mask = 8 OR coalesce(text, '') = 'ACK/' THEN 'kannel_ack'
        ELSE 'receipt'
    END AS source,
    -- a receipt that ends its message (delivered, failed, expired)
    CASE WHEN dlr_mask IS NOT NULL THEN dlr_mask > 0 AND dlr_mask & 3 <> 0
         ELSE coalesce(stat_mask(regexp_extract(text, '(?:^|\s)stat:([A-Za-z_]+)', 1)) & 3 <> 0, false)
    END AS ends_message
FROM events AS e
-- a line Kannel logged with an empty SMSC, on the connection of the lines of its FID
LEFT JOIN query_table(connections) AS c ON c.line_id = event_id(e.load_id, e.line_no) AND c.found_by = 'fid'
WHERE kind = 'dlr' OR kind = 'dropped' AND outcome = 'dlr';
