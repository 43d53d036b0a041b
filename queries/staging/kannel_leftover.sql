-- Kannel access log, staging step 3 (one block of lines): the lines of the block the fast
-- path did not make events of, for the positional path. Events of this load with line
-- numbers in the block's range are the block's own (zone maps skip every other row
-- group). An empty line is kept as NULL: the positional path says why it is rejected.
INSERT INTO stg_kannel_left
SELECT line_no, nullif(line, '')
FROM stg_kannel_block
WHERE line_no NOT IN (
    SELECT line_no FROM events
    WHERE load_id = $load_id AND line_no BETWEEN $first_line AND $last_line
)
