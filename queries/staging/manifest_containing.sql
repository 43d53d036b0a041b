-- Loaded logs that may hold the whole of this file: a longer copy of the same log (same first
-- line, more content), loaded before this shorter one was offered (a copy taken while the
-- gateway was still writing it). The caller compares their lines, longest first.
SELECT load_id, path
FROM load_manifest
WHERE state = 'loaded'
  AND format = 'kannel'
  AND load_id <> $load_id
  AND head_sha256 = $head_sha256
  AND content_bytes > $content_bytes
ORDER BY content_bytes DESC, load_id
