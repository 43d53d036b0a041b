-- R1 pressure across brands: how many numbers received k logical marketing messages in a
-- local day, and in a local ISO week (Monday first), all brands together. Distributions for
-- reports, not breaches: `period` is 'day' or 'week', `units` the (number, day) or
-- (number, week) pairs that received `messages`. With a period, the days are the period's,
-- the weeks every ISO week that meets it, whole: a week straddling an edge counts all its
-- messages (a week clipped to the period would understate it, "per ISO week" says the whole).
with marketing as (
    select
        msisdn,
        cast(timezone($tz, submitted_at) as date) as day
    from fct_logical_messages
    where accepted
      and category = 'marketing'
      and msisdn is not null   -- not logged (no %P)
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      -- from the Monday of the first week to the end of the Sunday of the last
      and ($date_from is null
           or submitted_at >= timezone($tz, cast(date_trunc('week', cast($date_from as date)) as timestamp)))
      and ($date_to is null
           or submitted_at < timezone($tz, cast(date_trunc('week', cast($date_to as date)) as timestamp) + interval 7 day))
),

per_number_all_days as (
    select msisdn, day, count(*) as messages
    from marketing
    group by msisdn, day
),

per_number_day as (
    select msisdn, day, messages
    from per_number_all_days
    where ($date_from is null or day >= cast($date_from as date))
      and ($date_to is null or day <= cast($date_to as date))
),

per_number_week as (
    select msisdn, date_trunc('week', day) as week, sum(messages) as messages
    from per_number_all_days
    group by msisdn, week
),

distributions as (
    select 'day' as period, messages, count(*) as units
    from per_number_day
    group by messages
    union all
    select 'week' as period, messages, count(*) as units
    from per_number_week
    group by messages
)

select period, cast(messages as bigint) as messages, units
from distributions
order by period, messages
