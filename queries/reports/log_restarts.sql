-- Data quality: each `Log begins` marker, and whether the gateway stopped cleanly before it
-- (a `Log ends` as the previous marker of the same log); unclean restarts can lose DLRs.
-- Kannel writes the same `Log ends` / `Log begins` pair when it only reopens its log (a
-- rotation's SIGHUP, no restart): a `Log begins` at most $reopen_seconds after the `Log ends`
-- before it is `reopened`; for the first line of a file, that `Log ends` is the last marker
-- of the file rotated before it: the latest marker, in time, of another load of the same
-- log (same folder and name but for the rotation's `.N` or logrotate's `-YYYYMMDD`, and
-- `.gz`: access.log after access.log.1 or access.log-20261104.gz; or another folder's name
-- tied to it by loads that continue one another or hold the same content: log_of_load.sql;
-- another gateway's log rotating that second is not its own), a `Log ends`
-- first at equal times, whatever order the files were loaded in. (A restart that fast
-- would read as a reopen; a real Kannel 1.4.5 took 2 s against a local SMSC.)
-- A log read in several loads (a live log loaded at noon, then its longer copy at night:
-- load_manifest.continues_load_id) is one log: its loads share the first one's id as
-- `log_id`, and their line numbers run on (a continuation keeps absolute line numbers), so
-- a `Log ends` read at noon is the marker before the `Log begins` read at night.
-- A crash inside a line's write leaves that line cut, and the restart appends its `Log begins`
-- to it (Kannel opens the log with O_APPEND): the line is rejected, but a rejected line ending
-- in `YYYY-MM-DD HH:MM:SS Log begins` is a restart (unclean), at that stamp read in the load's
-- log_timezone. It stays a rejected line: the line accounting is not changed.
WITH names AS (
    -- a load's log (log_id) and the rotated files of that log (log_name), whatever folder
    -- each load was read from
    SELECT load_id, log_id, log_name FROM log_of_load()   -- log_of_load.sql
),

cut as (
    select load_id, line_no,
           regexp_extract(raw, '(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) Log begins\s*$', 1) as stamp
    from rejected_lines
    where regexp_matches(raw, '.\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} Log begins\s*$')
),

all_markers as (
    select load_id, line_no, logged_at, marker, false as cut
    from log_markers
    where marker in ('begins', 'ends')   -- (not the lines that continue a text: 'continued')
    union all
    select c.load_id, c.line_no,
           timezone(coalesce(f.log_timezone, 'UTC'), try_strptime(c.stamp, '%Y-%m-%d %H:%M:%S')),
           'begins', true
    from cut as c
    join load_manifest as f using (load_id)
    where f.format = 'kannel'
),

markers as (
    select m.load_id, f.path, m.line_no, m.logged_at, m.marker, m.cut, n.log_name,
           lag(m.marker) over same_log as previous_marker,
           lag(m.logged_at) over same_log as previous_at
    from all_markers as m
    join load_manifest as f using (load_id)
    join names as n using (load_id)
    window same_log as (partition by n.log_id order by m.line_no, m.load_id)
),

ordered as (
    select *,
           lag(marker) over rotated as marker_before,
           lag(logged_at) over rotated as marker_before_at,
           lag(load_id) over rotated as load_before
    from markers
    window rotated as (partition by log_name order by logged_at, marker = 'begins', load_id, line_no)
)

select path, line_no, logged_at,
       not cut and coalesce(previous_marker = 'ends', line_no = 1) as clean,
       not cut and coalesce(CASE
           WHEN previous_marker = 'ends' THEN logged_at - previous_at <= to_seconds($reopen_seconds)
           WHEN previous_marker IS NULL AND line_no = 1
               THEN marker_before = 'ends' AND load_before <> load_id
                    AND logged_at - marker_before_at <= to_seconds($reopen_seconds)
       END, false) as reopened
from ordered
where marker = 'begins'
  and ($date_from is null or logged_at is null or cast(logged_at at time zone $tz as date) >= $date_from)
  and ($date_to is null or logged_at is null or cast(logged_at at time zone $tz as date) <= $date_to)
order by clean, reopened, logged_at, path, line_no
