-- One row per file offered to `ingest`: what was loaded, skipped or refused, and the
-- accounting that proves no line was lost: lines = events + markers + rejected.
CREATE TABLE IF NOT EXISTS load_manifest (
    load_id        INTEGER PRIMARY KEY,
    path           VARCHAR NOT NULL,    -- as given on the command line, made absolute
    sha256         VARCHAR NOT NULL,    -- of the file's bytes as stored (compressed if .gz)
    size_bytes     BIGINT  NOT NULL,
    format         VARCHAR NOT NULL,    -- kannel | csv | parquet
    log_timezone   VARCHAR,             -- how the file's timestamps were read
    lines          BIGINT  NOT NULL,
    events         BIGINT  NOT NULL,
    markers        BIGINT  NOT NULL,
    rejected       BIGINT  NOT NULL,
    state          VARCHAR NOT NULL,    -- loaded | skipped (its content already loaded)
    loaded_at      TIMESTAMPTZ NOT NULL,
    content_sha256 VARCHAR,             -- of its content (decompressed): the identity of a log,
                                        -- plain or gzipped by the rotation
    content_bytes  BIGINT               -- size of that content
);
-- warehouses created before the content identity: the columns are added, empty (their
-- files are still recognised by sha256 of the bytes as stored)
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS content_sha256 VARCHAR;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS content_bytes BIGINT;
