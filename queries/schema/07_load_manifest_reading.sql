-- How each Kannel log was read (with log_timezone, in 01_load_manifest.sql): the contract's
-- access_log_format (NULL: Kannel's default line) and access_log_clean. A file is loaded
-- once and keeps this reading; `ingest` (a file skipped as already loaded) and `audit` warn
-- when the contract now says otherwise. NULL access_log_clean: loaded before these were
-- recorded (the reading is unknown), or not a Kannel log.
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS access_log_format VARCHAR;
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS access_log_clean BOOLEAN;
