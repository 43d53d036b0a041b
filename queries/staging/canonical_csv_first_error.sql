-- The first error of a canonical CSV (canonical_csv_scan_errors.sql): the byte where its row
-- starts (line_byte_position counts from 1, BOM included: the loader counts the line breaks
-- before it, so that the error names the physical line, which DuckDB's own line number is
-- not once a quoted field holds a line break), what is wrong, the row as read (its start),
-- and for a row over the size limit, its size.
SELECT
    line_byte_position - 1 AS row_offset,
    error_type,
    error_message,
    left(csv_line, $shown) AS row_start,
    length(csv_line) > $shown AS row_cut,
    TRY_CAST(regexp_extract(error_message, 'Actual Size: ?([0-9]+)', 1) AS BIGINT) AS row_bytes
FROM canonical_csv_errors
ORDER BY line_byte_position
LIMIT 1
