-- How a Kannel log was read, recorded with its manifest row (schema/07_load_manifest_reading.sql).
UPDATE load_manifest
SET access_log_format = $access_log_format, access_log_clean = $access_log_clean
WHERE load_id = $load_id
