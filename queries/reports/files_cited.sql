-- The files a page's rows cite by load id, with their path as page 01 writes it: page 01's
-- table of every file stops at 50 rows (a probe: 6 of 24 loads cited were past them). The
-- lines each load read (a live log read hourly: lines 121-122 of the same access.log).
SELECT load_id, path, coalesce(first_line, 1) AS first_line,
       coalesce(first_line, 1) + lines - 1 AS last_line, loaded_at
FROM load_manifest
WHERE list_contains($load_ids::BIGINT[], load_id)
ORDER BY load_id
