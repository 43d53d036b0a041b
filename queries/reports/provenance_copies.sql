-- Where the lines of each of $load_ids are: the load itself and every load that continues it
-- (a longer copy of the same log, read later: it numbers its lines as in the whole file),
-- each with the prefix it read (complete lines: sha256 and bytes) and the whole content it
-- read, longest first. A file found today that begins with one of these prefixes holds
-- every line of that prefix at the same line number, whatever logrotate named it since
-- (head_sha256, of its first line, rules most files out without reading them). first_line and
-- lines: the lines the load itself holds, the only ones its event ids name.
WITH RECURSIVE copies (origin, load_id) AS (
    SELECT load_id, load_id
    FROM load_manifest
    WHERE list_contains($load_ids, load_id) AND state = 'loaded'
    UNION ALL
    SELECT c.origin, m.load_id
    FROM copies AS c
    JOIN load_manifest AS m ON m.continues_load_id = c.load_id
    WHERE m.state = 'loaded'
)
SELECT
    c.origin,
    m.load_id,
    m.path,
    m.format,
    m.head_sha256,
    m.complete_sha256,
    m.complete_bytes,
    m.complete_lines,
    coalesce(m.content_sha256, m.sha256) AS content_sha256,
    m.content_bytes,
    m.first_line,
    m.lines
FROM copies AS c
JOIN load_manifest AS m USING (load_id)
ORDER BY c.origin, m.content_bytes DESC NULLS LAST, m.load_id DESC
