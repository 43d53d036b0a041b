-- Idempotency: is this content already loaded? The same log plain or gzipped by the
-- rotation has one content; rows of warehouses older than content_sha256 match on the
-- bytes as stored. (A match means the file is skipped.)
SELECT load_id
FROM load_manifest
WHERE (content_sha256 = $content_sha256 OR sha256 = $sha256)
  AND state = 'loaded'
LIMIT 1
