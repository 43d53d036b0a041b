-- Events of one load ($load_id) that another load holds already: the same line, every field
-- the line gives equal (logged_at, label, kind, outcome, smsc, service, account, binfo, fid,
-- meta, sender, receiver, flags, text_len, text, text_lossy, udh; not segments, which these
-- make). Two exports that overlap (the same days in a daily and a monthly file, a CSV and its
-- Parquet copy), or a gateway's day files beside its unsplit log, are different files to the
-- manifest, so both load: `ingest` warns with how many and where from (ingest/overlap.py).
-- A similar line is not the same line: two gateways side by side (one access log each, the
-- same smsc-ids) log two subscribers' STOP to one short code in one second with the same
-- time, kind, smsc, receiver (the code), text and empty FID; only their sender tells them
-- apart (a probe: `1 of its 766 events are in the warehouse already` every night). Equal keys
-- are hashed on the new load's rows (the smaller side); NULLs match NULLs.
WITH repeated AS (
    SELECT n.line_no, o.load_id
    FROM events AS n
    JOIN events AS o
        ON o.logged_at = n.logged_at
        AND o.kind = n.kind
        AND o.label = n.label
        AND o.outcome = n.outcome
        AND o.smsc IS NOT DISTINCT FROM n.smsc
        AND o.service IS NOT DISTINCT FROM n.service
        AND o.account IS NOT DISTINCT FROM n.account
        AND o.binfo IS NOT DISTINCT FROM n.binfo
        AND o.fid IS NOT DISTINCT FROM n.fid
        AND o.meta IS NOT DISTINCT FROM n.meta
        AND o.sender IS NOT DISTINCT FROM n.sender
        AND o.receiver IS NOT DISTINCT FROM n.receiver
        AND o.mclass IS NOT DISTINCT FROM n.mclass
        AND o.coding IS NOT DISTINCT FROM n.coding
        AND o.mwi IS NOT DISTINCT FROM n.mwi
        AND o.compress IS NOT DISTINCT FROM n.compress
        AND o.dlr_mask IS NOT DISTINCT FROM n.dlr_mask
        AND o.text_len IS NOT DISTINCT FROM n.text_len
        AND o.text IS NOT DISTINCT FROM n.text
        AND o.text_lossy = n.text_lossy
        AND o.udh = n.udh
    WHERE n.load_id = $load_id
      AND o.load_id <> $load_id
)
SELECT
    count(DISTINCT line_no) AS events,
    (SELECT list(path ORDER BY load_id) FROM load_manifest
     WHERE load_id IN (SELECT load_id FROM repeated)) AS paths
FROM repeated
