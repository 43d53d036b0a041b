-- Take back the log_markers one load wrote (inside the ingest transaction): a file found to be a
-- duplicate only once read (a multi-member gzip whose content was already loaded).
DELETE FROM log_markers WHERE load_id = $load_id
