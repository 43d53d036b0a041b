-- One row per DLR line (R12, R13, R14): its keys, the MT line it is linked to (int_dlr_links.sql,
-- docs/schema.md "DLR linking"), its status and the fields of an SMPP receipt.
-- status is a bit mask; -1 (unset, as on `FAILED Receive DLR` lines) has no bit set. A log
-- whose access-log-format has no %d carries no mask (NULL): it is then the one Kannel
-- would have logged, from the source (its own ACK 8, NACK 16) or from the receipt's stat:
-- as Kannel maps it (stat_mask, facts/macros.sql).
CREATE OR REPLACE TABLE fct_dlr AS
-- the DLR lines with their link; the
-- SMPP receipt text in the standard layout
-- `id:X sub:N dlvrd:N submit date:D done date:D stat:S err:E text:...` is read from its
-- space-separated tokens (3x cheaper than a pattern with captures), any other layout field
-- by field with patterns; META dlr_err (URL-encoded bytes) becomes hex
WITH dlr_lines AS (
    SELECT
        d.*,
        l.link,
        l.mt_id,
        CASE WHEN source = 'receipt' AND text LIKE '%stat:%' THEN string_split(text, ' ') END AS tk,
        CASE WHEN meta LIKE '%dlr_err=%' THEN regexp_extract(meta, 'dlr_err=([^&?]*)', 1) END AS err_encoded
    FROM dlr_event_lines('int_line_connection') AS d
    JOIN int_dlr_links AS l USING (dlr_id)
),

receipts AS (
    SELECT
        *,
        coalesce(starts_with(tk[1], 'id:') AND starts_with(tk[2], 'sub:') AND starts_with(tk[3], 'dlvrd:')
            AND tk[4] = 'submit' AND starts_with(tk[5], 'date:') AND tk[6] = 'done'
            AND starts_with(tk[7], 'date:') AND starts_with(tk[8], 'stat:')
            AND starts_with(tk[9], 'err:'), false) AS standard
    FROM dlr_lines
),

receipt_fields AS (
    SELECT
        *,
        CASE WHEN tk IS NULL THEN NULL WHEN standard THEN substr(tk[1], 4)
             ELSE regexp_extract(text, '(?:^|\s)id:(\S+)', 1) END AS f_receipt_id,
        CASE WHEN tk IS NULL THEN NULL WHEN standard THEN substr(tk[2], 5)
             ELSE regexp_extract(text, '(?:^|\s)sub:([0-9]+)', 1) END AS f_sub,
        CASE WHEN tk IS NULL THEN NULL WHEN standard THEN substr(tk[3], 7)
             ELSE regexp_extract(text, '(?:^|\s)dlvrd:([0-9]+)', 1) END AS f_dlvrd,
        CASE WHEN tk IS NULL THEN NULL WHEN standard THEN substr(tk[5], 6)
             ELSE regexp_extract(text, 'submit date:([0-9]+)', 1) END AS f_submit_date,
        CASE WHEN tk IS NULL THEN NULL WHEN standard THEN substr(tk[7], 6)
             ELSE regexp_extract(text, 'done date:([0-9]+)', 1) END AS f_done_date,
        CASE WHEN tk IS NULL THEN NULL WHEN standard THEN substr(tk[8], 6)
             ELSE regexp_extract(text, '(?:^|\s)stat:([A-Za-z_]+)', 1) END AS f_stat,
        CASE WHEN tk IS NULL THEN NULL WHEN standard THEN substr(tk[9], 5)
             ELSE regexp_extract(text, '(?:^|\s)err:([0-9A-Za-z]+)', 1) END AS f_err,
        CASE
            WHEN err_encoded IS NULL THEN NULL
            WHEN regexp_full_match(err_encoded, '(%[0-9A-Fa-f]{2})*') THEN upper(replace(err_encoded, '%', ''))
            -- Kannel leaves letters, digits and a few marks unencoded: take them byte by byte
            ELSE upper(array_to_string(list_transform(
                regexp_extract_all(err_encoded, '%[0-9A-Fa-f]{2}|.'),
                lambda t: CASE WHEN t[1] = '%' THEN t[2:3] WHEN t = '+' THEN '20' ELSE hex(t) END
            ), ''))
        END AS f_dlr_err
    FROM receipts
),

statused AS (
    SELECT
        *,
        coalesce(dlr_mask, CASE
            -- (Kannel writes -1 on a `FAILED Receive DLR`: it matched no entry; fct_mt_status
            -- reads such a receipt's stat itself)
            WHEN outcome = 'unmatched' THEN -1
            WHEN source = 'kannel_ack' THEN 8
            WHEN source = 'kannel_nack' THEN 16
            ELSE stat_mask(f_stat)
        END) AS status
    FROM receipt_fields
)

SELECT
    r.dlr_id,
    r.load_id,
    r.line_no,
    r.logged_at,
    coalesce(r.smsc, '') AS smsc,
    coalesce(r.fid, '') AS fid,
    coalesce(r.service, '') AS service,
    r.account,
    coalesce(r.sender, '') AS sender,
    coalesce(r.receiver, '') AS receiver,
    n.msisdn,
    r.label,
    r.outcome,
    r.status,
    r.source,
    (coalesce(r.status > 0 AND r.status & 3 <> 0, false) OR r.source = 'kannel_nack') AS is_final,
    r.text,
    nullif(r.f_stat, '') AS stat,
    nullif(r.f_err, '') AS err,
    nullif(r.f_receipt_id, '') AS receipt_id,
    nullif(r.f_sub, '') AS sub,
    nullif(r.f_dlvrd, '') AS dlvrd,
    CASE length(r.f_submit_date)
        WHEN 10 THEN try_strptime(r.f_submit_date, '%y%m%d%H%M')
        WHEN 12 THEN try_strptime(r.f_submit_date, '%y%m%d%H%M%S')
    END AS submit_date,
    CASE length(r.f_done_date)
        WHEN 10 THEN try_strptime(r.f_done_date, '%y%m%d%H%M')
        WHEN 12 THEN try_strptime(r.f_done_date, '%y%m%d%H%M%S')
    END AS done_date,
    nullif(r.f_dlr_err, '') AS dlr_err,
    r.mt_id,
    r.link,
    (r.outcome = 'unmatched' OR r.link IS NULL) AS unmatched
FROM statused AS r
LEFT JOIN int_msisdn AS n ON n.raw = r.receiver
