-- The load_id of the next file offered to `ingest` (loaded or skipped): one more than the last.
SELECT coalesce(max(load_id), 0) + 1 AS load_id
FROM load_manifest
