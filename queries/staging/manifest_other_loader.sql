-- Loads of $load_ids read by another loader than $loader_fingerprint (another version of
-- opsanalytics or of its libraries), or before the loader was recorded (NULL): their events,
-- markers and rejected lines keep that loader's reading.
SELECT load_id, path, loader_fingerprint
FROM load_manifest
WHERE state = 'loaded'
  AND list_contains($load_ids::INTEGER[], load_id)
  AND loader_fingerprint IS DISTINCT FROM $loader_fingerprint
ORDER BY load_id
