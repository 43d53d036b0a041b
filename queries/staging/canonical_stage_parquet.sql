-- Canonical Parquet (docs/canonical-format.md) as text, in file order, every canonical
-- column present (NULL when the file does not have it). Types are checked in canonical_checked.
CREATE OR REPLACE TEMP TABLE canonical_stage AS
WITH template AS (
    SELECT
        NULL::VARCHAR AS logged_at, NULL::VARCHAR AS kind, NULL::VARCHAR AS outcome,
        NULL::VARCHAR AS label, NULL::VARCHAR AS smsc, NULL::VARCHAR AS service,
        NULL::VARCHAR AS account, NULL::VARCHAR AS binfo, NULL::VARCHAR AS fid,
        NULL::VARCHAR AS meta, NULL::VARCHAR AS sender, NULL::VARCHAR AS receiver,
        NULL::VARCHAR AS mclass, NULL::VARCHAR AS coding, NULL::VARCHAR AS mwi,
        NULL::VARCHAR AS compress, NULL::VARCHAR AS dlr_mask, NULL::VARCHAR AS text_len,
        NULL::VARCHAR AS text, NULL::VARCHAR AS text_lossy, NULL::VARCHAR AS udh,
        NULL::VARCHAR AS segments, NULL::VARCHAR AS segments_exact
    WHERE false
)

SELECT * FROM template
UNION ALL BY NAME
SELECT * FROM read_parquet($path)
