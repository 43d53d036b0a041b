-- Good canonical rows -> events. Defaults: label from kind/outcome, udh '', text_lossy false;
-- segments of an MT, when not given, from its coding and length (RULES.md "Counting
-- segments": GSM 160/153 septets with € [ ] { } ^ ~ \ | counting 2, 8-bit 140/134 bytes,
-- UCS-2 70/67 UTF-16 units); a part with a UDH is one segment.
INSERT INTO events (load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
                    binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
                    text_len, text, text_lossy, udh, segments, segments_exact)
WITH good AS (
    SELECT
        *,
        coalesce(text, '') AS t,
        length(coalesce(text, '')) AS chars,
        length(regexp_replace(coalesce(text, ''), '[^\x{10000}-\x{10FFFF}]', '', 'g')) AS astral,
        length(regexp_replace(coalesce(text, ''), '[^€\[\]{}^~\\|]', '', 'g')) AS gsm_extended
    FROM canonical_checked
    WHERE reason IS NULL
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
    sender,
    receiver,
    coalesce(mclass_v, -1),
    coalesce(coding_v, 0),
    coalesce(mwi_v, -1),
    coalesce(compress_v, -1),
    coalesce(dlr_mask_v, -1),
    coalesce(text_len_v, CASE coalesce(coding_v, 0) WHEN 2 THEN 2 * (chars + astral) ELSE strlen(t) END),
    text,
    coalesce(text_lossy_v, false),
    udh_v,
    CASE
        WHEN kind_v <> 'mt' THEN segments_v
        WHEN segments_v IS NOT NULL THEN segments_v
        WHEN udh_v <> '' THEN 1
        WHEN coalesce(coding_v, 0) = 2 THEN CASE WHEN chars + astral <= 70 THEN 1 ELSE (chars + astral + 66) // 67 END
        WHEN coding_v = 1 THEN CASE WHEN strlen(t) <= 140 THEN 1 ELSE (strlen(t) + 133) // 134 END
        ELSE CASE WHEN chars + gsm_extended <= 160 THEN 1 ELSE (chars + gsm_extended + 152) // 153 END
    END,
    CASE
        WHEN kind_v <> 'mt' THEN segments_exact_v
        ELSE coalesce(segments_exact_v, segments_v IS NOT NULL OR NOT coalesce(text_lossy_v, false))
    END
FROM good
ORDER BY row_no
