-- R13's observed time for a report's coverage: the longest stretch of the period
-- ($date_from to the local midnight after $date_to) in which no log at all was up (a log is up
-- from its first line or marker to its last, less its own downtime: r13_log_ups.sql), between
-- the logs' first start and last end (before and after them the caller reads the data's first
-- and last day). Separate files months apart, or one log's `Log ends` months before its
-- `Log begins`, leave such a stretch; a session-35 probe's September read 'full' with a log
-- only from the 20th. 0 when there is none. Needs the temporary macros r13_log_ups,
-- r13_downtime and log_of_load (report/summary.py defines them).
with ups as (
    select up_from, up_to from r13_log_ups($reopen_seconds) where up_to > up_from
),

gaps as (
    select reach as gap_from, up_from as gap_to
    from (select up_from,
                 max(up_to) over (order by up_from, up_to rows between unbounded preceding and 1 preceding) as reach
          from ups)
    where up_from > reach
),

period as (
    select timezone($tz, cast($date_from as timestamp)) as period_from,
           timezone($tz, cast($date_to as timestamp) + interval 1 day) as period_to
)

select coalesce(max(epoch(least(g.gap_to, coalesce(p.period_to, g.gap_to))
                          - greatest(g.gap_from, coalesce(p.period_from, g.gap_from)))), 0) as longest_s
from gaps as g, period as p
where ($date_from is null or g.gap_to > p.period_from)
  and ($date_to is null or g.gap_from < p.period_to)
