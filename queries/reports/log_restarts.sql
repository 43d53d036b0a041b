-- Data quality: each `Log begins` marker, and whether the gateway stopped cleanly before it
-- (a `Log ends` as the previous marker of the same log); unclean restarts can lose DLRs.
-- A log read in several loads (a live log loaded at noon, then its longer copy at night:
-- load_manifest.continues_load_id) is one log: its loads share the first one's id as
-- `log_id`, and their line numbers run on (a continuation keeps absolute line numbers), so
-- a `Log ends` read at noon is the marker before the `Log begins` read at night.
with recursive roots (load_id, log_id) as (
    select load_id, load_id
    from load_manifest
    where continues_load_id is null
    union all
    select m.load_id, r.log_id
    from load_manifest as m
    join roots as r on m.continues_load_id = r.load_id
),

markers as (
    select m.load_id, f.path, m.line_no, m.logged_at, m.marker,
           lag(m.marker) over (partition by coalesce(r.log_id, m.load_id) order by m.line_no, m.load_id) as previous_marker
    from log_markers as m
    join load_manifest as f using (load_id)
    left join roots as r using (load_id)
)

select path, line_no, logged_at,
       coalesce(previous_marker = 'ends', line_no = 1) as clean
from markers
where marker = 'begins'
  and ($date_from is null or logged_at is null or cast(logged_at at time zone $tz as date) >= $date_from)
  and ($date_to is null or logged_at is null or cast(logged_at at time zone $tz as date) <= $date_to)
order by clean, logged_at, path, line_no
