-- Data quality: each `Log begins` marker, and whether the gateway stopped cleanly before it
-- (a `Log ends` as the previous marker of the same file); unclean restarts can lose DLRs.
with markers as (
    select m.load_id, f.path, m.line_no, m.logged_at, m.marker,
           lag(m.marker) over (partition by m.load_id order by m.line_no) as previous_marker
    from log_markers m
    join load_manifest f using (load_id)
)
select path, line_no, logged_at,
       coalesce(previous_marker = 'ends', line_no = 1) as clean
from markers
where marker = 'begins'
  and ($date_from is null or logged_at is null or cast(logged_at at time zone $tz as date) >= $date_from)
  and ($date_to is null or logged_at is null or cast(logged_at at time zone $tz as date) <= $date_to)
order by clean, logged_at, path, line_no
