-- A canonical CSV that DuckDB could not read, read again to find out where (only after the
-- staging read failed, on a connection of its own with one thread, so that the first error
-- recorded is the first of the file): the errors go to canonical_csv_errors, the first only.
-- Same reading as canonical_stage_csv.sql.
SELECT count(COLUMNS(*))  -- every column, so that every value is read (and checked)
FROM read_csv($path, header = true, auto_detect = false, columns = $columns,
              delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false,
              compression = $compression, store_rejects = true, rejects_limit = 1,
              rejects_table = 'canonical_csv_errors', rejects_scan = 'canonical_csv_scans')
