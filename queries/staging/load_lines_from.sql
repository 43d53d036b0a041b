-- What one load holds from a line on, by table: the half-written last line of a log read
-- while the gateway was writing it, which a longer copy, loaded now, holds whole.
SELECT
    (SELECT count(*) FROM events WHERE load_id = $load_id AND line_no >= $from_line) AS events,
    (SELECT count(*) FROM log_markers WHERE load_id = $load_id AND line_no >= $from_line) AS markers,
    (SELECT count(*) FROM rejected_lines WHERE load_id = $load_id AND line_no >= $from_line) AS rejected
