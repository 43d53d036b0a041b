-- R8 summary per short code, from audit_r08_seconds (r08_seconds): total segments, busy
-- seconds, peak and p99 segments per second (over seconds with traffic), mean rate over busy
-- minutes, seconds over the subscribed rate (and those only the upper bound of lossy texts puts
-- over it: seconds_possibly_over), utilisation of the peak, and the busiest local
-- day (the campaign that sizes the tier: how long it takes at each rate is computed from
-- it with opsanalytics.pricing).
-- Deterministic, so that two runs on the same data print the same JSON: ties are broken
-- explicitly (peak_second is the earliest of the seconds at the peak, busiest_day the
-- earliest of the days with the most segments), and the mean is computed from integer sums
-- (segments / (60 x busy minutes)), then rounded to 6 decimals, never summed in floating
-- point in an order that varies with the threads.
with per_second as (
    select short_code, epoch_second, segments, segments_max, rate
    from audit_r08_seconds
),

per_minute as (
    select short_code, epoch_second // 60 as epoch_minute, sum(segments) as segments
    from per_second
    group by short_code, epoch_minute
),

per_day as (
    select short_code, cast(timezone($tz, to_timestamp(epoch_second)) as date) as day, sum(segments) as segments
    from per_second
    group by short_code, day
),

seconds as (
    select
        short_code,
        any_value(rate) as rate,
        cast(sum(segments) as bigint) as segments,
        count(*) as busy_seconds,
        max(segments) as peak,
        -- most segments, then the earliest second
        to_timestamp(arg_min(epoch_second, (-segments, epoch_second))) as peak_second,
        quantile_disc(segments, 0.99) as p99,
        count(*) filter (where segments > rate) as seconds_over,
        -- not over by the count, over if every lossy text held its most septets
        count(*) filter (where segments <= rate and segments_max > rate) as seconds_possibly_over,
        cast(coalesce(sum(segments - rate) filter (where segments > rate), 0) as bigint) as segments_over
    from per_second
    group by short_code
),

minutes as (
    select
        short_code,
        count(*) as busy_minutes,
        round(cast(sum(segments) as bigint) / (60.0 * count(*)), 6) as mean_rate_busy_minutes
    from per_minute
    group by short_code
),

days as (
    select
        short_code,
        count(*) as active_days,
        cast(max(segments) as bigint) as busiest_day_segments,
        -- most segments, then the earliest day
        arg_min(day, (-segments, day)) as busiest_day
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
    s.seconds_possibly_over,
    s.segments_over,
    s.peak / s.rate as peak_utilisation,
    d.active_days,
    d.busiest_day,
    d.busiest_day_segments
from seconds as s
join minutes as m using (short_code)
join days as d using (short_code)
order by s.short_code
