-- Every file offered to `ingest`, in load order, with its accounting as the manifest recorded
-- it at load time (status "files"); status/accounting.sql compares it with the tables.
SELECT
    path,
    sha256,
    lines,
    events + markers AS loaded,
    rejected,
    state
FROM load_manifest
ORDER BY load_id
