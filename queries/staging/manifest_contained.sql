-- How many of the complete lines load $load_id holds (line_no <= $complete_lines) are NOT the
-- same event, marker or rejected line, at the same line number, in the loads $chain (a longer
-- copy of the log and the loads it continues)? 0: this file adds nothing, it is skipped.
-- EXCEPT ALL compares every column (NULLs equal) and keeps duplicates apart.
SELECT
    (SELECT count(*) FROM (
        SELECT * EXCLUDE (load_id) FROM events
        WHERE load_id = $load_id AND line_no <= $complete_lines
        EXCEPT ALL
        SELECT * EXCLUDE (load_id) FROM events
        WHERE list_contains($chain, load_id) AND line_no <= $complete_lines
    ))
    + (SELECT count(*) FROM (
        SELECT * EXCLUDE (load_id) FROM log_markers
        WHERE load_id = $load_id AND line_no <= $complete_lines
        EXCEPT ALL
        SELECT * EXCLUDE (load_id) FROM log_markers
        WHERE list_contains($chain, load_id) AND line_no <= $complete_lines
    ))
    + (SELECT count(*) FROM (
        SELECT * EXCLUDE (load_id) FROM rejected_lines
        WHERE load_id = $load_id AND line_no <= $complete_lines
        EXCEPT ALL
        SELECT * EXCLUDE (load_id) FROM rejected_lines
        WHERE list_contains($chain, load_id) AND line_no <= $complete_lines
    )) AS differing
