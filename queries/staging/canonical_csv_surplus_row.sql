-- The first row of a canonical CSV with a field more than the header whose last field is
-- empty (`a,b,c,` under `x,y,z`: a trailing comma, or an unquoted value holding a comma), as
-- its number among the file's rows (blank lines skipped, as row numbers are counted
-- everywhere); none: no row. DuckDB's reader drops such a field without a word, the values
-- before it staying one column off, so the staging read loaded the row: here $columns holds
-- one column more than the header (__beyond), null_padding fills it with NULL on the rows
-- that have no such field, and no cell reads as NULL otherwise ($absent, a value no CSV
-- holds): a row that has it has it non-NULL, empty or not. One thread, not parallel: rows
-- in file order (and DuckDB reads null_padding with quoted line breaks only so).
SELECT row_no
FROM (
    SELECT row_number() OVER () AS row_no, __beyond
    FROM read_csv($path, header = true, auto_detect = false, columns = $columns,
                  delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false,
                  compression = $compression, null_padding = true, parallel = false,
                  nullstr = $absent)
)
WHERE __beyond IS NOT NULL
ORDER BY row_no
LIMIT 1
