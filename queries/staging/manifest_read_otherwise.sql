-- Loaded Kannel logs read otherwise than the contract now says: with another log_timezone,
-- or another access_log_format / access_log_clean where the manifest recorded them
-- (access_log_clean not NULL). Their events keep the reading they were loaded with.
-- $load_ids: only these loads (NULL: every load).
SELECT load_id, path, log_timezone, access_log_format, access_log_clean
FROM load_manifest
WHERE state = 'loaded'
  AND format = 'kannel'
  AND ($load_ids::INTEGER[] IS NULL OR list_contains($load_ids::INTEGER[], load_id))
  AND (log_timezone IS DISTINCT FROM $log_timezone
       OR (access_log_clean IS NOT NULL
           AND (access_log_format IS DISTINCT FROM $access_log_format
                OR access_log_clean <> $access_log_clean)))
ORDER BY load_id
