-- The columns of a canonical Parquet file and their types.
SELECT column_name, column_type
FROM (DESCRIBE SELECT * FROM read_parquet($path, binary_as_string = true))
