-- How far the warehouse's logs are known to reach, for a report's coverage: the latest line
-- loaded and the latest time a file was read (`ingest` reads the live log as far as it is
-- written: a night with no traffic after 22:30 still covers the day when the logs were
-- read after midnight). A period ending after both is only partly covered, whatever its days
-- say: an ingest killed before its commit, or run before the day was over, left the
-- warehouse at 02:20 on the report's own day (a probe: coverage read 'full', every rule
-- green). `loads` = 0: nothing says when the logs were read (rows written by hand), and only
-- the days can tell; the caller also leaves a read time earlier than the latest line aside
-- (logs dated after their reading: a simulated period, a skewed clock).
select (select max(logged_at) from events) as last_line_at,
       (select max(loaded_at) from load_manifest) as last_read_at,
       (select count(*) from load_manifest) as loads
