-- Kannel access log, staging step 5: the events the positional path read.
INSERT INTO events (load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
                    binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
                    text_len, text, text_lossy, udh, segments, segments_exact)
-- A format without %L: the LEN of a hex text (codings 1 and 2) is exact all the same, half
-- its hex digits, and so is that of a printable text written whole by %b (one character a
-- byte); a hex text with an odd digit, or half a UTF-16 unit, leaves the count uncertain.
WITH events_read AS (
    SELECT * REPLACE (coalesce(msg_len, CASE WHEN text IS NULL THEN NULL
                                             WHEN coding IN (1, 2) THEN length(text) // 2
                                             WHEN coding IS NOT NULL AND NOT $squeezed THEN length(text)
                                        END) AS msg_len),
           CASE WHEN msg_len IS NULL AND coding IN (1, 2) THEN length(text) % (2 * coding) <> 0
                ELSE false END AS len_unsure
    FROM stg_kannel_slow WHERE state = 'event'
),
-- A %a text ($squeezed) lost the spaces its LEN still counts: the septets count them back
-- (a space is one septet), and the text is lossy wherever spaces went or LEN is unknown.
-- A text not logged at all (NULL) is LEN unknown bytes: counted as LEN septets, and not
-- exact once LEN is long enough for the count to depend on what the bytes were. (LEN is
-- not checked against a text here: a damaged one is capped at 65,536, far past the 255
-- parts of the longest message, rather than spelt out.)
squeezing AS (
    SELECT *,
           $squeezed AND coalesce(coding, 0) NOT IN (1, 2) AS spaces_lost,
           -- (least ignores a NULL: an unknown LEN would read as 65,536 bytes)
           CASE WHEN msg_len IS NOT NULL THEN least(msg_len, 65536) END AS len_capped,
           CASE WHEN text IS NULL THEN repeat('x', len_capped)
                WHEN spaces_lost AND len_capped > length(text)
                THEN text || repeat(' ', len_capped - length(text)) ELSE text END AS text_spaced
    FROM events_read
),
pieces AS (
    SELECT *, kannel_units(text, coding) AS units, kannel_utf8(text, coding) AS utf8,
           kannel_septets(kind, text_spaced, coding, msg_len, udh_len) AS septets
    FROM squeezing
),
derived AS (
    SELECT *, kannel_text(text, coding, units, utf8) AS decoded,
           kannel_segments(kind, coding, msg_len, udh, udh_len, septets, text_spaced) AS segments
    FROM pieces
)
SELECT $load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
       binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
       msg_len, decoded,
       kannel_lossy(text, coding, units, utf8, decoded)
           OR (spaces_lost AND (msg_len IS NULL OR length(text) < msg_len))
           -- a format without %c: a hex text's coding is a guess (kannel_hex_coding)
           OR coalesce($coding_absent AND coding IN (1, 2), false),
       udh,
       segments,
       -- a count that could not be made (no text, no LEN) is never exact
       CASE WHEN kind = 'mt' AND (segments IS NULL OR len_unsure) THEN false
            WHEN kind = 'mt' AND text IS NULL AND (msg_len IS NULL OR septets IS NOT NULL) THEN false
            ELSE kannel_segments_exact(kind, udh_len, septets, text_spaced)
                 AND NOT (spaces_lost AND msg_len IS NULL AND septets IS NOT NULL) END
FROM derived
