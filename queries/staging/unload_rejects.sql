-- Take back the rejected_lines one load wrote (inside the ingest transaction): a file found to be a
-- duplicate only once read (a multi-member gzip whose content was already loaded), from
-- line 0; or the half-written last line of a log that a later copy holds whole.
DELETE FROM rejected_lines WHERE load_id = $load_id AND line_no >= $from_line
