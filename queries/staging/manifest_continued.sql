-- Loaded logs this file may continue: a log read while the gateway was still writing it,
-- now offered whole (rotated, or read again later). Same first line, and no more complete
-- content than this file holds ($content_bytes: a plain file's size; unknown for gzip).
-- The caller checks the candidates' complete_sha256 against this file's first bytes,
-- longest first.
SELECT load_id, complete_bytes, complete_sha256, complete_lines
FROM load_manifest
WHERE state = 'loaded'
  AND format = 'kannel'
  AND head_sha256 = $head_sha256
  AND complete_lines > 0
  AND ($gzip OR complete_bytes <= $content_bytes)
ORDER BY complete_bytes DESC
