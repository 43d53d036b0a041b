-- Take back the rejected_lines one load wrote (inside the ingest transaction): a file found to be a
-- duplicate only once read (a multi-member gzip whose content was already loaded).
DELETE FROM rejected_lines WHERE load_id = $load_id
