-- R12 BILL: per local month ($tz) of the period, the days the warehouse holds any logged
-- event on (MT, MO or DLR, whatever the short code): a month logged on fewer days than it
-- has is billed by Orange in full but counted here only in part (a log missing, a month
-- the warehouse begins or ends in). The per-month fees do not depend on it; the delivered
-- segments do.
select
    cast(date_trunc('month', day) as date) as month,
    count(*) as days_logged,
    min(day) as first_day,
    max(day) as last_day
from (
    select distinct cast(logged_at at time zone $tz as date) as day
    from events
    where ($date_from is null or logged_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or logged_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)
group by all
order by month
