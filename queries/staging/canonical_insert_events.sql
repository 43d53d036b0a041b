-- Good canonical rows -> events, in file order. Defaults: label from kind/outcome, udh '',
-- text_lossy false, dlr_mask -1 (unset) but NULL on a DLR (the status not carried: fct_dlr
-- reads it from the receipt's stat:, as for a Kannel log without %d), as is a -1 written
-- on a DLR that is not unmatched; text_len, when not
-- given, the length of the text as Kannel's LEN (UTF-8 bytes for codings 0 and 1,
-- 2 x UTF-16 units for 2). Segments of an MT, when not given, are counted as the Kannel
-- loader counts them (kannel_segments, kannel_macros.sql; RULES.md "Counting segments"):
-- from the text when there is one (GSM septets with € [ ] { } ^ ~ \ | counting 2, 8-bit
-- bytes, UCS-2 UTF-16 units), else from text_len as from a LEN with no text logged, which
-- is exact only where the bytes cannot matter (codings 1 and 2, or few enough GSM bytes);
-- neither text nor text_len: 1 for GSM, unknown (NULL) for 8-bit and UCS-2, never exact.
-- Characters are counted only for the rows that need it (CASE evaluates lazily).
INSERT INTO events (load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
                    binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
                    text_len, text, text_lossy, udh, segments, segments_exact)
WITH good AS (
    SELECT
        *,
        coalesce(coding_v, 0) AS coding_d,
        coalesce(text, '') AS t,
        length(udh_v) // 2 AS udh_len,
        kind_v = 'mt' AND segments_v IS NULL AS derive_segments
    FROM canonical_checked
    WHERE reason IS NULL
),

measured AS (
    SELECT
        *,
        -- the text's length as Kannel's LEN
        CASE
            WHEN text IS NULL OR NOT (derive_segments OR text_len_v IS NULL) THEN NULL
            -- UTF-16 units: characters outside the BMP take two
            WHEN coding_d = 2 THEN 2 * (length(t) + length(t) - length(regexp_replace(t, '[\x{10000}-\x{10FFFF}]', '', 'g')))
            ELSE strlen(t)
        END AS len_of_text,
        -- the GSM septets of a text long enough to need them (2 per byte bound them): the
        -- text's own, or, with no text, text_len bytes counted one septet each. A lossy text
        -- is read as Kannel's logged text is (gsm_septets): each dot may stand for a
        -- character lost on the way, so it counts at its lower bound, exact only when its
        -- upper bound gives the same count (kannel_segments_exact), as the
        -- same line loaded from the Kannel log (a Kannel log exported with its dots, read as
        -- real full stops, gave one segment more and a definite R8 breach where the log's
        -- own load said "possibly over")
        CASE
            WHEN NOT derive_segments OR coding_d IN (1, 2) THEN NULL
            WHEN text IS NOT NULL
                THEN CASE WHEN 2 * strlen(t) <= seg_alone(0, udh_len) THEN NULL
                          WHEN coalesce(text_lossy_v, false) THEN gsm_septets(t)
                          ELSE canonical_septets(t) END
            WHEN 2 * text_len_v > seg_alone(0, udh_len)
                THEN {'chars': text_len_v, 'ext': 0, 'dots': 0, 'odd': 0}
        END AS septets
    FROM good
),

counted AS (
    SELECT
        *,
        CASE
            WHEN kind_v <> 'mt' OR NOT derive_segments THEN segments_v
            -- 8-bit and UCS-2: text_len, when given, is the payload's length as the gateway's LEN
            -- (the text may show it otherwise: 8-bit bytes written as Latin-1 characters take two
            -- bytes each in UTF-8, a probe's 100 bytes counted 2 segments); GSM: the text, whose
            -- septets the byte count cannot give
            ELSE kannel_segments('mt', coding_d,
                                 CASE WHEN coding_d IN (1, 2) THEN coalesce(text_len_v, len_of_text)
                                      ELSE coalesce(len_of_text, text_len_v) END,
                                 udh_v, udh_len, septets, t)
        END AS segments_d
    FROM measured
)

SELECT
    $load_id,
    row_no,
    logged_at_v,
    coalesce(nullif(label, ''), default_label),
    kind_v,
    outcome_v,
    smsc,
    service,
    account,
    binfo,
    coalesce(fid, ''),
    meta,
    sender_v,
    receiver_v,
    coalesce(mclass_v, -1),
    coding_d,
    coalesce(mwi_v, -1),
    coalesce(compress_v, -1),
    -- (-1 on a DLR Kannel matched is no status at all, not "unset": Kannel writes it only on
    -- `FAILED Receive DLR` lines, which keep it; elsewhere the receipt's stat: says, as when
    -- the column is empty; a probe's export wrote -1 beside stat:DELIVRD and its MT stayed
    -- pending)
    CASE WHEN kind_v <> 'dlr' THEN coalesce(dlr_mask_v, -1)
         WHEN outcome_v = 'unmatched' THEN dlr_mask_v
         ELSE nullif(dlr_mask_v, -1) END,
    coalesce(text_len_v, len_of_text),
    text,
    coalesce(text_lossy_v, false),
    udh_v,
    segments_d,
    CASE
        WHEN kind_v <> 'mt' OR segments_exact_v IS NOT NULL THEN segments_exact_v
        WHEN NOT derive_segments THEN true
        WHEN segments_d IS NULL THEN false
        -- no text: LEN bytes whose septets are unknown, or no length at all
        WHEN text IS NULL AND (text_len_v IS NULL OR septets IS NOT NULL) THEN false
        -- a lossy GSM text: exact when its septet bounds (its dots, each a lost character
        -- or half of one) give one count, as the Kannel loader decides for the same line; a
        -- short one, or an 8-bit or UCS-2 one (counted in bytes or units), always
        ELSE kannel_segments_exact('mt', udh_len, septets, t)
    END
FROM counted
