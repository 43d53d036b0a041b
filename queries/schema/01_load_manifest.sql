-- One row per file offered to `ingest`: what was loaded, skipped or refused, and the
-- accounting that proves no line was lost: lines = events + markers + rejected.
CREATE TABLE IF NOT EXISTS load_manifest (
    load_id           INTEGER PRIMARY KEY,
    path              VARCHAR NOT NULL, -- as given on the command line, made absolute
    sha256            VARCHAR NOT NULL, -- of the file's bytes as stored (compressed if .gz)
    size_bytes        BIGINT  NOT NULL,
    format            VARCHAR NOT NULL, -- kannel | csv | parquet
    log_timezone      VARCHAR,          -- how the file's timestamps were read
    lines             BIGINT  NOT NULL, -- lines loaded (from first_line on)
    events            BIGINT  NOT NULL,
    markers           BIGINT  NOT NULL,
    rejected          BIGINT  NOT NULL,
    state             VARCHAR NOT NULL, -- loaded | skipped (its content already loaded)
    loaded_at         TIMESTAMPTZ NOT NULL,
    -- identity of the content (decompressed): a log is the same log plain or gzipped
    content_sha256    VARCHAR,
    content_bytes     BIGINT,
    -- the content up to its last line end, and its first line: a later copy of a log that
    -- was still being written starts with it (then only the lines after it are loaded)
    complete_sha256   VARCHAR,
    complete_bytes    BIGINT,
    complete_lines    BIGINT,
    head_sha256       VARCHAR,
    first_line        BIGINT,           -- first line loaded: 1, or the line after a load it continues
    continues_load_id INTEGER           -- that load
);
-- warehouses created before these columns: they are added, empty (their files are still
-- recognised by the sha256 of the bytes as stored)
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS content_sha256 VARCHAR;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS content_bytes BIGINT;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS complete_sha256 VARCHAR;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS complete_bytes BIGINT;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS complete_lines BIGINT;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS head_sha256 VARCHAR;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS first_line BIGINT;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS continues_load_id INTEGER;
