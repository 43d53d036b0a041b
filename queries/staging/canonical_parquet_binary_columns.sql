-- The columns of a canonical Parquet file stored as plain binary (BYTE_ARRAY without the
-- UTF-8 annotation: Hive, Impala, or bytes written as bytes), which the staging read takes
-- as text (binary_as_string): read as they are stored, they are BLOB.
SELECT column_name
FROM (DESCRIBE SELECT * FROM read_parquet($path))
WHERE column_type = 'BLOB'
