-- Kannel access log: the lines the fast path did not make events of (all lines for a custom
-- format), gathered block by block (kannel_leftover.sql) for the positional path
-- (kannel_slow.sql). Few lines in a standard log, so a temp table that rarely spills.
CREATE TEMP TABLE stg_kannel_left (line_no BIGINT NOT NULL, line VARCHAR)
