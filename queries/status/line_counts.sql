-- Lines read (as the manifest recorded them), markers and rejected lines, for a warehouse
-- whose facts were never built (no events).
SELECT
    (SELECT coalesce(sum(lines), 0) FROM load_manifest WHERE state = 'loaded')::BIGINT AS lines,
    (SELECT count(*) FROM log_markers) AS markers,
    (SELECT count(*) FROM rejected_lines) AS rejected
