-- Markers and rejected lines, for a warehouse whose facts were never built (no events).
SELECT
    (SELECT count(*) FROM log_markers) AS markers,
    (SELECT count(*) FROM rejected_lines) AS rejected
