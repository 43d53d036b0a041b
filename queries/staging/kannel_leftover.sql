-- Kannel access log, staging step 3 (one block of lines): the lines of the block the fast
-- path did not make events of, for the positional path. Events of this load with line
-- numbers in the block's range are the block's own (zone maps skip every other row
-- group). An empty line is kept as NULL: the positional path says why it is rejected.
-- A run of NUL bytes (U+FFFD, lineblocks) before a prefixed line is what a crash leaves:
-- the filesystem's zeros at the end of the file, then the gateway's reopen appends its
-- `Log begins` (and its lines) right after them. The line after the run is read as the
-- line it is (a marker, an event), not rejected with the zeros; ingest counts the NULs.
INSERT INTO stg_kannel_left
SELECT line_no,
       nullif(CASE WHEN starts_with(line, chr(65533))
                        AND regexp_matches(line, '^\x{FFFD}+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ')
                   THEN ltrim(line, chr(65533))
                   ELSE line END, '')
FROM stg_kannel_block
WHERE line_no NOT IN (
    SELECT line_no FROM events
    WHERE load_id = $load_id AND line_no BETWEEN $first_line AND $last_line
)
