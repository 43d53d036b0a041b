-- The first value of a canonical Parquet file's binary columns ($columns) whose bytes are not
-- UTF-8, which the staging read refuses naming neither column nor row: its column, its row
-- (from 1, in file order, as rows are numbered), its bytes in hex and as DuckDB shows them
-- (\xE9), at most $shown characters of each. None: every value of those columns is UTF-8.
WITH stored AS (
    SELECT file_row_number + 1 AS row_no, COLUMNS(lambda c: list_contains($columns, c))
    FROM read_parquet($path, file_row_number = true)
),

values_ AS (
    UNPIVOT stored ON COLUMNS(* EXCLUDE row_no) INTO NAME column_name VALUE bytes
)

SELECT column_name, row_no, left(hex(bytes), $shown) AS hexed, left(CAST(bytes AS VARCHAR), $shown) AS shown
FROM values_
WHERE TRY(decode(bytes)) IS NULL
ORDER BY row_no, list_position($columns, column_name)
LIMIT 1
