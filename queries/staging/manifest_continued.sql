-- Loaded logs this file may continue: a log read while the gateway was still writing it,
-- now offered whole (rotated, or read again later). Same first line, and no more complete
-- content than this file holds ($content_bytes: a plain file's size; unknown for gzip).
-- Also a load of nothing but the line the gateway was writing (no line end yet: the live
-- log just after a rotation or a copytruncate), which has no first line to compare: this
-- file continues it, from its line 1, when it starts with those bytes.
-- The caller checks each candidate's prefix_sha256 against this file's first prefix_bytes,
-- longest first; the lines to load start at start_bytes, line complete_lines + 1.
SELECT load_id, complete_bytes AS prefix_bytes, complete_sha256 AS prefix_sha256,
       complete_bytes AS start_bytes, complete_lines
FROM load_manifest
WHERE state = 'loaded'
  AND format = 'kannel'
  AND head_sha256 = $head_sha256
  AND complete_lines > 0
  AND ($gzip OR complete_bytes <= $content_bytes)
UNION ALL
SELECT load_id, content_bytes, content_sha256, 0, 0
FROM load_manifest
WHERE state = 'loaded'
  AND format = 'kannel'
  AND complete_lines = 0
  AND content_bytes > 0
  AND ($gzip OR content_bytes < $content_bytes)
ORDER BY prefix_bytes DESC
