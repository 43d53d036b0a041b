-- Canonical CSV (docs/canonical-format.md) as text, in file order, every canonical column
-- present (canonical_template). Types are checked in canonical_checked. The columns are the
-- header's, read by the loader ($columns: name -> VARCHAR), not sniffed: DuckDB's sniffer
-- may take a wider, damaged data row for the header, and names no line when rows disagree.
-- $compression: 'gzip' when the bytes are gzip (whatever the name), else 'none'.
CREATE OR REPLACE TEMP TABLE canonical_stage AS
SELECT * FROM canonical_template
UNION ALL BY NAME
SELECT * FROM read_csv($path, header = true, auto_detect = false, columns = $columns,
                       delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false,
                       compression = $compression)
