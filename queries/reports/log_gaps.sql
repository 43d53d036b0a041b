-- Data quality: silences in the logs longer than $gap_minutes (every event kind together),
-- and whether a gateway restart (`Log begins` without a preceding `Log ends`) falls in it.
-- Inside the period only; a gap is a hole the audits cannot see into.
with instants as (
    select logged_at
    from events
    where ($date_from is null or logged_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or logged_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),
ordered as (
    select logged_at as gap_end,
           lag(logged_at) over (order by logged_at) as gap_start
    from instants
),
gaps as (
    select gap_start, gap_end,
           date_diff('second', gap_start, gap_end) / 60.0 as minutes
    from ordered
    where gap_start is not null
      and gap_end - gap_start > to_minutes(cast($gap_minutes as bigint))
),
markers as (
    select logged_at, marker from log_markers where logged_at is not null
)
select g.gap_start, g.gap_end, round(g.minutes, 1) as minutes,
       count(m.marker) filter (where m.marker = 'begins') as restarts,
       count(m.marker) filter (where m.marker = 'ends') as clean_stops
from gaps g
left join markers m on m.logged_at between g.gap_start and g.gap_end
group by g.gap_start, g.gap_end, g.minutes
order by g.minutes desc, g.gap_start
