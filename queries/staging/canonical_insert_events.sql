-- Good canonical rows -> events, in file order. Defaults: label from kind/outcome, udh '',
-- text_lossy false, dlr_mask -1 (unset) but NULL on a DLR (the status not carried: fct_dlr
-- reads it from the receipt's stat:, as for a Kannel log without %d); segments of an MT, when not given, from its coding and length (RULES.md
-- "Counting segments": GSM 160/153 septets with € [ ] { } ^ ~ \ | counting 2, 8-bit 140/134
-- bytes, UCS-2 70/67 UTF-16 units); a part with a UDH is one segment. Characters are counted
-- only for the rows that need it (CASE evaluates lazily).
INSERT INTO events (load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
                    binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
                    text_len, text, text_lossy, udh, segments, segments_exact)
WITH good AS (
    SELECT
        *,
        coalesce(coding_v, 0) AS coding_d,
        coalesce(text, '') AS t,
        kind_v = 'mt' AND segments_v IS NULL AND udh_v = '' AS derive_segments
    FROM canonical_checked
    WHERE reason IS NULL
),

measured AS (
    SELECT
        *,
        CASE
            WHEN coding_d = 2 AND (derive_segments OR text_len_v IS NULL)
                -- UTF-16 units: characters outside the BMP take two
                THEN length(t) + length(t) - length(regexp_replace(t, '[\x{10000}-\x{10FFFF}]', '', 'g'))
            WHEN coding_d = 1 AND derive_segments THEN strlen(t)
            WHEN derive_segments
                -- GSM septets: extension-table characters take two
                THEN length(t) + length(t) - length(regexp_replace(t, '[€\[\]{}^~\\|]', '', 'g'))
        END AS units
    FROM good
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
    CASE WHEN kind_v = 'dlr' THEN dlr_mask_v ELSE coalesce(dlr_mask_v, -1) END,
    coalesce(text_len_v, CASE WHEN text IS NULL THEN NULL WHEN coding_d = 2 THEN 2 * units ELSE strlen(t) END),
    text,
    coalesce(text_lossy_v, false),
    udh_v,
    CASE
        WHEN kind_v <> 'mt' THEN segments_v
        WHEN NOT derive_segments THEN coalesce(segments_v, 1)
        WHEN coding_d = 2 THEN CASE WHEN units <= 70 THEN 1 ELSE (units + 66) // 67 END
        WHEN coding_d = 1 THEN CASE WHEN units <= 140 THEN 1 ELSE (units + 133) // 134 END
        ELSE CASE WHEN units <= 160 THEN 1 ELSE (units + 152) // 153 END
    END,
    CASE
        WHEN kind_v <> 'mt' THEN segments_exact_v
        ELSE coalesce(segments_exact_v, NOT derive_segments OR NOT coalesce(text_lossy_v, false))
    END
FROM measured
