-- Kannel access log, staging step 1: every physical line of the file, in file order, so
-- that the temp table's rowid gives the line number (PERF-NOTES: row_number() would
-- serialise the pipeline). DuckDB reads the file (plain or gzip) as one VARCHAR column: no
-- delimiter (NUL), no quote, no escape, because Kannel escapes nothing; an empty line
-- becomes NULL and is still a line.
-- $transcoded: the file is the copy opsanalytics.ingest.rawtext wrote (invalid UTF-8 bytes
-- as U+FFFD, a carriage return inside a line as U+E00D): put the carriage returns back.
CREATE TEMP TABLE stg_kannel_raw AS
SELECT CASE WHEN $transcoded THEN replace(line, chr(57357), chr(13)) ELSE line END AS line
FROM read_csv($path, columns = {'line': 'VARCHAR'}, delim = '', quote = '', escape = '',
              header = false, auto_detect = false, max_line_size = 16777216,
              compression = $compression)
