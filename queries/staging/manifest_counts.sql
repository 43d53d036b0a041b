-- The accounting the manifest holds for one load: what `ingest` prints for a file once the
-- call is done (a later file of the same call may have taken its half-written last line,
-- manifest_hand_over.sql).
SELECT lines, events, markers, rejected
FROM load_manifest
WHERE load_id = $load_id
