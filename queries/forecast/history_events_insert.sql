-- R9 test data: the simulated history's MT lines (relation `history_events`, registered by
-- opsanalytics.simulate.history.load_history) appended to `events` as one load, in time order.
INSERT INTO events
SELECT
    $load_id AS load_id,
    row_number() OVER (ORDER BY logged_at, fid) AS line_no,
    logged_at, label, kind, outcome, smsc, service, account, binfo, fid, meta, sender, receiver,
    mclass, coding, mwi, compress, dlr_mask, text_len, text, text_lossy, udh, segments, segments_exact
FROM history_events
