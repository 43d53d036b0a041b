-- manifest_read_otherwise.sql for a warehouse opened read-only whose manifest predates the
-- access_log_format / access_log_clean columns: only log_timezone can be compared.
SELECT load_id, path, log_timezone, NULL::VARCHAR AS access_log_format, NULL::BOOLEAN AS access_log_clean
FROM load_manifest
WHERE state = 'loaded'
  AND format = 'kannel'
  AND ($load_ids::INTEGER[] IS NULL OR list_contains($load_ids::INTEGER[], load_id))
  AND log_timezone IS DISTINCT FROM $log_timezone
ORDER BY load_id
