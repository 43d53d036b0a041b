-- One manifest row per file offered to `ingest`, with the accounting that proves no line
-- was lost (lines = events + markers + rejected).
INSERT INTO load_manifest (load_id, path, sha256, size_bytes, format, log_timezone,
                           lines, events, markers, rejected, state, loaded_at,
                           content_sha256, content_bytes, complete_sha256, complete_bytes,
                           complete_lines, head_sha256, first_line, continues_load_id)
VALUES ($load_id, $path, $sha256, $size_bytes, $format, $log_timezone,
        $lines, $events, $markers, $rejected, $state, now(),
        $content_sha256, $content_bytes, $complete_sha256, $complete_bytes,
        $complete_lines, $head_sha256, $first_line, $continues_load_id)
