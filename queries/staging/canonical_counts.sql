-- Rows read, loaded and refused: lines = events + rejected (no markers in canonical input);
-- naive: loaded rows whose logged_at has no offset (read as UTC), for ingest's warning.
SELECT
    count(*) AS lines,
    count(*) FILTER (WHERE reason IS NULL) AS events,
    count(*) FILTER (WHERE reason IS NOT NULL) AS rejected,
    count(*) FILTER (WHERE reason IS NULL AND naive_time) AS naive,
    -- ucs2_hex: UCS-2 rows whose text is Kannel's hex of it (4 digits a unit, the first one
    -- printable ASCII: `0050726F6D6F` for "Promo"), not its characters: read as written, no
    -- STOP is found in it (a probe: R3 missing_stop on "STOP au 36180", an MO STOP unread)
    count(*) FILTER (WHERE reason IS NULL AND coding_v = 2 AND CASE WHEN strlen(text) >= 8
                     THEN regexp_full_match(text, '00[2-7][0-9A-Fa-f]([0-9A-Fa-f]{4})+') ELSE false END) AS ucs2_hex,
    -- dotted: GSM rows with no text_lossy whose text has a letter, two dots, a letter (`ARR..T`,
    -- `r..pondez`): Kannel's log of an accented letter, read then as two full stops (a probe:
    -- an MO `ARR..T` was no opt-out, and the marketing after it went unflagged)
    count(*) FILTER (WHERE reason IS NULL AND coalesce(coding_v, 0) IN (-1, 0) AND text_lossy_v IS NULL
                     AND CASE WHEN contains(text, '..') THEN regexp_matches(text, '[A-Za-z]\.\.[A-Za-z]') ELSE false END)
        AS dotted
FROM canonical_checked
