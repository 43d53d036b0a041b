-- Every file offered to `ingest`, in load order, with its accounting (status "files").
SELECT
    path,
    sha256,
    lines,
    events + markers AS loaded,
    rejected,
    state
FROM load_manifest
ORDER BY load_id
