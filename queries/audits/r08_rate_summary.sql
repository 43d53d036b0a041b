-- R8 summary per short code: total segments, busy seconds, peak and p99 segments per second
-- (over seconds with traffic), mean rate over busy minutes, seconds over the subscribed
-- rate, utilisation of the peak, and the busiest local day (the campaign that sizes the
-- tier: how long it takes at each rate is computed from it, opsanalytics.pricing).
with lines as (
    select
        short_code,
        submitted_at,
        coalesce(segments, 1) as segments
    from fct_mt
    where outcome = 'accepted'
      and short_code is not null
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

per_second as (
    select short_code, date_trunc('second', submitted_at) as second, cast(sum(segments) as bigint) as segments
    from lines
    group by short_code, second
),

per_minute as (
    select short_code, date_trunc('minute', second) as minute, cast(sum(segments) as bigint) as segments
    from per_second
    group by short_code, minute
),

per_day as (
    select short_code, cast(timezone($tz, second) as date) as day, cast(sum(segments) as bigint) as segments
    from per_second
    group by short_code, day
),

seconds as (
    select
        p.short_code,
        coalesce(any_value(r.rate), 10) as rate,
        cast(sum(p.segments) as bigint) as segments,
        count(*) as busy_seconds,
        max(p.segments) as peak,
        arg_max(p.second, p.segments) as peak_second,
        quantile_disc(p.segments, 0.99) as p99,
        count(*) filter (where p.segments > coalesce(r.rate, 10)) as seconds_over,
        cast(sum(p.segments - coalesce(r.rate, 10)) filter (where p.segments > coalesce(r.rate, 10)) as bigint) as segments_over
    from per_second as p
    left join ref_short_codes as r on r.code = p.short_code
    group by p.short_code
),

minutes as (
    select short_code, count(*) as busy_minutes, avg(segments / 60.0) as mean_rate_busy_minutes
    from per_minute
    group by short_code
),

days as (
    select
        short_code,
        count(*) as active_days,
        max(segments) as busiest_day_segments,
        arg_max(day, segments) as busiest_day
    from per_day
    group by short_code
)

select
    s.short_code,
    s.rate,
    s.segments,
    s.busy_seconds,
    s.peak,
    s.peak_second,
    s.p99,
    m.busy_minutes,
    m.mean_rate_busy_minutes,
    s.seconds_over,
    coalesce(s.segments_over, 0) as segments_over,
    s.peak / s.rate as peak_utilisation,
    d.active_days,
    d.busiest_day,
    d.busiest_day_segments
from seconds as s
join minutes as m using (short_code)
join days as d using (short_code)
order by s.short_code
