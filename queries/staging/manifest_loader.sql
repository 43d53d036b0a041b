-- The loader that read a file, recorded with its manifest row (schema/08_load_manifest_loader.sql).
UPDATE load_manifest
SET loader_fingerprint = $loader_fingerprint
WHERE load_id = $load_id
