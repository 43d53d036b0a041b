-- R2 WINDOW: logical marketing messages accepted by the platform and submitted outside
-- [$window_start, $window_end) local time, or on a day that is not a jour ouvrable (Sunday,
-- or a public holiday of ref_holidays; Saturday is a jour ouvrable).
-- One reason per message, by precedence sunday > holiday > hour: Sunday is the weekly rest
-- day whatever else it is, so a message on a holiday that falls on a Sunday reads `sunday`
-- (its `holiday` column still names the holiday); 23:00 on a holiday reads `holiday`.
-- Judged on two narrow columns; the details are fetched for the breaches only.
with marketing as (
    select
        logical_id,
        timezone($tz, submitted_at) as local_at
    from fct_logical_messages
    where accepted
      and category = 'marketing'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

holidays as (
    select day, min(name) as holiday
    from ref_holidays
    group by day
),

classified as (
    select
        m.logical_id,
        m.local_at,
        h.holiday,
        case
            when dayofweek(cast(m.local_at as date)) = 0 then 'sunday'
            when h.day is not null then 'holiday'
            when cast(m.local_at as time) < $window_start
              or cast(m.local_at as time) >= $window_end then 'hour'
        end as reason
    from marketing as m
    left join holidays as h on h.day = cast(m.local_at as date)
),

breaches as materialized (
    select logical_id, local_at, holiday, reason
    from classified
    where reason is not null
)

select
    l.logical_id as message_id,
    l.msisdn,
    l.short_code,
    l.brand,
    l.service,
    l.submitted_at,
    strftime(b.local_at, '%Y-%m-%d %H:%M:%S') as local_time,
    b.reason,
    b.holiday,
    l.mt_ids
from fct_logical_messages as l
join breaches as b using (logical_id)
order by l.submitted_at, message_id
