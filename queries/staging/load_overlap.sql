-- Events of one load ($load_id) that another load holds already: same logged_at, kind, smsc,
-- fid, receiver and text. Two exports that overlap (the same days in a daily and a monthly
-- file, a CSV and its Parquet copy), or a gateway's day files beside its unsplit log, are
-- different files to the manifest, so both load: `ingest` warns with how many and where
-- from (ingest/overlap.py). Equal keys are hashed on the new load's rows (the smaller side);
-- NULLs match NULLs.
WITH repeated AS (
    SELECT n.line_no, o.load_id
    FROM events AS n
    JOIN events AS o
        ON o.logged_at = n.logged_at
        AND o.kind = n.kind
        AND o.smsc IS NOT DISTINCT FROM n.smsc
        AND o.fid IS NOT DISTINCT FROM n.fid
        AND o.receiver IS NOT DISTINCT FROM n.receiver
        AND o.text IS NOT DISTINCT FROM n.text
    WHERE n.load_id = $load_id
      AND o.load_id <> $load_id
)
SELECT
    count(DISTINCT line_no) AS events,
    (SELECT list(path ORDER BY load_id) FROM load_manifest
     WHERE load_id IN (SELECT load_id FROM repeated)) AS paths
FROM repeated
