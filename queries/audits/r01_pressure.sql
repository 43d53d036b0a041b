-- R1 pressure across brands: how many numbers received k logical marketing messages in a
-- local day, and in a local ISO week (Monday first), all brands together. Distributions for
-- reports, not breaches: `period` is 'day' or 'week', `units` the (number, day) or
-- (number, week) pairs that received `messages`.
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
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

per_number_day as (
    select msisdn, day, count(*) as messages
    from marketing
    group by msisdn, day
),

per_number_week as (
    select msisdn, date_trunc('week', day) as week, sum(messages) as messages
    from per_number_day
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
