-- R2 picture: marketing logical messages accepted by the platform, by local day and hour,
-- with the day's kind (weekday, Sunday, public holiday) so the heatmap can mark them.
with messages as (
    select submitted_at at time zone $tz as local_at
    from fct_logical_messages
    where accepted and category = 'marketing'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
),
in_period as (
    select cast(local_at as date) as day, hour(local_at) as hour
    from messages
    where ($date_from is null or cast(local_at as date) >= $date_from)
      and ($date_to is null or cast(local_at as date) <= $date_to)
),
counts as (
    select day, hour, count(*) as messages
    from in_period
    group by day, hour
)
select c.day, isodow(c.day) as weekday, c.hour, c.messages,
       h.name as holiday,
       case when h.day is not null then 'holiday'
            when isodow(c.day) = 7 then 'sunday'
            else 'working' end as day_kind
from counts c
left join ref_holidays h on h.day = c.day
order by c.day, c.hour
