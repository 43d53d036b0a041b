-- Idempotency: is a file with these exact bytes already loaded? (then it is skipped)
SELECT load_id
FROM load_manifest
WHERE sha256 = $sha256
  AND state = 'loaded'
LIMIT 1
