-- R1 pressure across brands, per local ISO week: how many numbers received k logical
-- marketing messages in a week, all brands together (a distribution, not a breach list).
with marketing as (
    select
        msisdn,
        date_trunc('week', cast(timezone($tz, submitted_at) as date)) as week
    from fct_logical_messages
    where accepted
      and category = 'marketing'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

per_number_week as (
    select msisdn, week, count(*) as messages
    from marketing
    group by msisdn, week
)

select
    messages as messages_per_number_week,
    count(*) as number_weeks,
    count(distinct msisdn) as numbers
from per_number_week
group by messages
order by messages
