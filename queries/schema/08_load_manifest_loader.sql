-- The loader that read each file: sha256 of the code that decides how its lines became events,
-- markers and rejected lines (opsanalytics.ingest.loader_fingerprint: the loader modules, the
-- queries of queries/staging/, the libraries' versions). A file is loaded once and keeps that
-- reading; `ingest` warns when it skips lines another loader read. NULL: loaded before it was
-- recorded (by an older version).
ALTER TABLE load_manifest ADD COLUMN IF NOT EXISTS loader_fingerprint VARCHAR;
