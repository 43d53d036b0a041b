-- Which log each load belongs to: a log read in several loads (a live log loaded at noon, then
-- its longer copy at night: load_manifest.continues_load_id) is one log, named by its first
-- load's id (log_id); its line numbers run on across its loads. A temporary table macro that
-- log_restarts.sql and log_clock_steps.sql read; their callers (report/insights.py,
-- ingest/cautions.py) define it on the connection first.
CREATE OR REPLACE TEMP MACRO log_of_load() AS TABLE
WITH RECURSIVE roots (load_id, log_id) AS (
    SELECT load_id, load_id
    FROM load_manifest
    WHERE continues_load_id IS NULL
    UNION ALL
    SELECT m.load_id, r.log_id
    FROM load_manifest AS m
    JOIN roots AS r ON m.continues_load_id = r.load_id
)
SELECT load_id, log_id FROM roots;
