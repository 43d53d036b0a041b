-- R1 pressure across brands, per local day: how many numbers received k logical marketing
-- messages that day, all brands together (a distribution, not a breach list).
with marketing as (
    select
        msisdn,
        cast(timezone($tz, submitted_at) as date) as day
    from fct_logical_messages
    where accepted
      and category = 'marketing'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

per_number_day as (
    select msisdn, day, count(*) as messages
    from marketing
    group by msisdn, day
)

select
    messages as messages_per_number_day,
    count(*) as number_days,
    count(distinct msisdn) as numbers
from per_number_day
group by messages
order by messages
