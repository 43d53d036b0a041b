-- Canonical Parquet (docs/canonical-format.md) as text, in file order, every canonical
-- column present (canonical_template). Types are checked in canonical_checked. Text that
-- a writer stored as plain binary (Hive, Impala, older Spark) is read as text.
CREATE OR REPLACE TEMP TABLE canonical_stage AS
SELECT * FROM canonical_template
UNION ALL BY NAME
SELECT * FROM read_parquet($path, binary_as_string = true)
