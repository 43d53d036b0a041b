-- R4, R5: is an event after another in the log? A later second, or the same second on a later
-- line of the same load (a log's lines are in time order; a reply is always logged after the
-- MO it answers). Two loads cannot order the events of one second (the log's resolution):
-- those are not after. Event ids are load_id * 10^10 + line_no (queries/facts/macros.sql):
-- within a load they compare as line numbers. r04_stop_honour, r04_stop_stats and
-- r05_range34 read it; rules.py defines it on the audit's connection first.
CREATE OR REPLACE TEMP MACRO logged_after(event_at, event_no, other_at, other_no) AS
    event_at > other_at
    OR (event_at = other_at AND event_no // 10000000000 = other_no // 10000000000 AND event_no > other_no);
