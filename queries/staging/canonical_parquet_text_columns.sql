-- The text columns of a canonical Parquet file (VARCHAR as DuckDB reads it: annotated UTF-8,
-- or plain binary read as text), in the file's order.
SELECT column_name
FROM (DESCRIBE SELECT * FROM read_parquet($path, binary_as_string = true))
WHERE column_type = 'VARCHAR'
