-- One column of a canonical Parquet file ($column) read in full as text, alone: fails when
-- a value of it is not UTF-8, which tells the column that DuckDB's error does not name.
SELECT max(length(COLUMNS(lambda c: c = $column)))  -- (a count reads no value)
FROM read_parquet($path, binary_as_string = true)
