-- Could a file of this size already be loaded? Equal bytes imply equal size: when no loaded
-- file has this size, the file cannot be a duplicate and may load while it is being hashed.
SELECT load_id
FROM load_manifest
WHERE size_bytes = $size_bytes
  AND state = 'loaded'
LIMIT 1
