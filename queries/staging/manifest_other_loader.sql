-- Loads of $load_ids read by another loader than $loader_fingerprint (another version of
-- opsanalytics or of its libraries), or by a version that does not record its loader (NULL:
-- one older than the recording, before it began or ingesting into a newer warehouse since):
-- their events, markers and rejected lines keep that loader's reading. With the lines of the
-- file being ingested each one read: $load_ids are the loads of one log (a load and the loads
-- it continues), numbered as the file numbers them (first_line; NULL: loaded before
-- continuations, from line 1), up to $last_line, the file's last line this call did not load
-- again. A load that read none of them is left out.
SELECT load_id, path, loader_fingerprint, from_line, to_line
FROM (
    SELECT load_id, path, loader_fingerprint,
           coalesce(first_line, 1) AS from_line,
           least(coalesce(first_line, 1) + lines - 1, $last_line::BIGINT) AS to_line
    FROM load_manifest
    WHERE state = 'loaded'
      AND list_contains($load_ids::INTEGER[], load_id)
      AND loader_fingerprint IS DISTINCT FROM $loader_fingerprint
)
WHERE to_line >= from_line
ORDER BY from_line, load_id
