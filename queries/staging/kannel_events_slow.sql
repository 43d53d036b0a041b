-- Kannel access log, staging step 5: the events the positional path read.
INSERT INTO events (load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
                    binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
                    text_len, text, text_lossy, udh, segments, segments_exact)
WITH events_read AS (
    SELECT * FROM stg_kannel_slow WHERE state = 'event'
),
pieces AS (
    SELECT *, kannel_units(text, coding) AS units, kannel_utf8(text, coding) AS utf8,
           kannel_septets(kind, text, coding, msg_len, udh_len) AS septets
    FROM events_read
),
derived AS (
    SELECT *, kannel_text(text, coding, units, utf8) AS decoded
    FROM pieces
)
SELECT $load_id, line_no, logged_at, label, kind, outcome, smsc, service, account,
       binfo, fid, meta, sender, receiver, mclass, coding, mwi, compress, dlr_mask,
       msg_len, decoded, kannel_lossy(text, coding, units, utf8, decoded), udh,
       kannel_segments(kind, coding, msg_len, udh, udh_len, septets),
       kannel_segments_exact(kind, udh, udh_len, septets)
FROM derived
