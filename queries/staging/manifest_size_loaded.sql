-- Could this file's content already be loaded? Equal content implies equal size: when no
-- loaded file has this size, the file cannot be a duplicate and may load while it is being
-- hashed. $content_bytes: a plain file's size; a gzip file's ISIZE trailer, the content size
-- modulo 2^32 (of its last member only: a multi-member gzip is caught after its load).
SELECT load_id
FROM load_manifest
WHERE state = 'loaded'
  AND (size_bytes = $size_bytes
       OR content_bytes = $content_bytes
       OR ($gzip AND content_bytes % 4294967296 = $content_bytes))
LIMIT 1
