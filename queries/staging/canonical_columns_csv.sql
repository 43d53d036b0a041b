-- The header of a canonical CSV file: its column names, in order.
SELECT column_name
FROM (DESCRIBE SELECT * FROM read_csv($path, header = true, all_varchar = true, delim = ',',
                                      quote = '"', escape = '"', allow_quoted_nulls = false))
