-- Which log each load belongs to: a log read in several loads (a live log loaded at noon, then
-- its longer copy at night: load_manifest.continues_load_id) is one log, named by its first
-- load's id (log_id); its line numbers run on across its loads. And the rotated files of that
-- log (log_name): the least rotation name (the file name less the rotation's `.N` or
-- `-YYYYMMDD` and `.gz`: access.log.1.gz and access.log are one log's files) tied to the
-- load's own, whatever folder each load was read from. Two rotation names are tied by loads
-- that continue one another (a copy loaded from one folder, then the log itself from another:
-- a session-33 probe, cronM) or that read the same content (a rotated file identical to a
-- copy loaded before: skipped, it continues nothing); two gateways' logs (an HA pair) share
-- neither: two logs. A temporary table macro that log_restarts.sql, log_clock_steps.sql,
-- r13_downtime.sql and r13_connection_down.sql read; their callers (report/insights.py,
-- ingest/cautions.py, sla.py) define it on the connection first.
CREATE OR REPLACE TEMP MACRO log_of_load() AS TABLE
WITH RECURSIVE roots (load_id, log_id) AS (
    SELECT load_id, load_id
    FROM load_manifest
    WHERE continues_load_id IS NULL
    UNION ALL
    SELECT m.load_id, r.log_id
    FROM load_manifest AS m
    JOIN roots AS r ON m.continues_load_id = r.load_id
),

rotation AS (
    SELECT f.load_id, coalesce(r.log_id, f.load_id) AS log_id,
           regexp_replace(f.path, '([.-][0-9]+)?(\.gz)?$', '') AS rotation_name,
           CASE WHEN f.complete_bytes > 0 THEN f.complete_sha256 END AS content
    FROM load_manifest AS f
    LEFT JOIN roots AS r USING (load_id)
),

ties AS (
    SELECT DISTINCT a.rotation_name AS name, b.rotation_name AS other
    FROM (SELECT DISTINCT log_id, rotation_name FROM rotation) AS a
    JOIN (SELECT DISTINCT log_id, rotation_name FROM rotation) AS b USING (log_id)
    UNION
    SELECT a.rotation_name, b.rotation_name
    FROM rotation AS a
    JOIN rotation AS b USING (content)
),

reach (name, other) AS (
    SELECT name, other FROM ties
    UNION
    SELECT r.name, t.other
    FROM reach AS r
    JOIN ties AS t ON t.name = r.other
)

SELECT o.load_id, o.log_id, min(r.other) AS log_name
FROM rotation AS o
JOIN reach AS r ON r.name = o.rotation_name
GROUP BY o.load_id, o.log_id;
