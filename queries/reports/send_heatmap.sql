-- R2 picture: marketing logical messages accepted by the platform, by local day and hour of
-- each of their accepted lines, with the day's kind (weekday, Sunday, public holiday) so the
-- heatmap can mark them. As R2 judges every line (fct_accepted_sends), a message counts in
-- every hour one of its lines left in: part 2 at 22:00:00 after part 1 at 21:59:59, or a
-- resend at 22:20 of a message first sent at 21:30, shows in the 22h cell that R2 breaches
-- (filed under its first line alone, it showed nothing there). Short code filter: the line's.
-- day_messages: the messages counted in the cell for the first time that day (their earliest
-- hour of the day), which add up to the day's messages, each once.
with sends as (
    select logical_id, sent_at at time zone $tz as local_at
    from fct_accepted_sends
    where category = 'marketing'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
),
in_period as (
    select distinct logical_id, cast(local_at as date) as day, hour(local_at) as hour
    from sends
    where ($date_from is null or cast(local_at as date) >= $date_from)
      and ($date_to is null or cast(local_at as date) <= $date_to)
),
counts as (
    select day, hour, count(*) as messages, count(*) filter (where first_hour) as day_messages
    from (select *, hour = min(hour) over (partition by logical_id, day) as first_hour from in_period)
    group by day, hour
)
select c.day, isodow(c.day) as weekday, c.hour, c.messages, c.day_messages,
       h.name as holiday,
       case when h.day is not null then 'holiday'
            when isodow(c.day) = 7 then 'sunday'
            else 'working' end as day_kind
from counts c
left join ref_holidays h on h.day = c.day
order by c.day, c.hour
