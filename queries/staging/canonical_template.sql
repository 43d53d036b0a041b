-- The canonical columns (docs/canonical-format.md), all as text and no row: the stage of a
-- CSV or Parquet file is this template UNION ALL BY NAME the file, so that every canonical
-- column is present (NULL when the file does not have it), whatever the format.
CREATE OR REPLACE TEMP TABLE canonical_template (
    logged_at VARCHAR, kind VARCHAR, outcome VARCHAR, label VARCHAR, smsc VARCHAR,
    service VARCHAR, account VARCHAR, binfo VARCHAR, fid VARCHAR, meta VARCHAR,
    sender VARCHAR, receiver VARCHAR, mclass VARCHAR, coding VARCHAR, mwi VARCHAR,
    compress VARCHAR, dlr_mask VARCHAR, text_len VARCHAR, text VARCHAR, text_lossy VARCHAR,
    udh VARCHAR, segments VARCHAR, segments_exact VARCHAR
)
