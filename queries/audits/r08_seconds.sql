-- R8 RATE, step 1: segments submitted per short code and second (one operation per segment,
-- RULES.md "Counting segments": every part of a multipart message and every resubmission
-- counts, and so does a submit the SMSC refused, `REJECTED Send SMS`, outcome 'refused': it
-- took Orange's equipment as much as an accepted one (a probe's real Kannel 1.4.5: 9 lines
-- accepted and 3 refused in one second, 14 segments submitted, counted 10). Lines Kannel
-- never submitted (failed, discarded, expired) do not count), kept in a temporary table that r08_rate and r08_rate_summary read,
-- so that 50 M lines are aggregated once. Seconds are whole epoch seconds (instants).
-- segments_max: the same sum with each line's upper bound (fct_mt.segments_max: a lossy GSM
-- text may take more septets than counted; a line with no bound counts as counted).
-- The brand filter keeps the seconds in which that brand sent (the rate is per short code,
-- whoever fills it).
create or replace temp table audit_r08_seconds as
with lines as (
    select
        short_code,
        brand,
        epoch_ms(submitted_at) // 1000 as epoch_second,
        coalesce(segments, 1) as segments,
        coalesce(segments_max, segments, 1) as segments_max
    from fct_mt
    where outcome in ('accepted', 'refused')
      and short_code is not null
      and ($short_code is null or short_code = $short_code)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

per_second as (
    select
        short_code,
        epoch_second,
        cast(sum(segments) as bigint) as segments,
        cast(sum(segments_max) as bigint) as segments_max,
        count(*) as lines,
        bool_or(brand = $brand) as brand_sent
    from lines
    group by short_code, epoch_second
)

select
    p.short_code,
    p.epoch_second,
    p.segments,
    p.segments_max,
    p.lines,
    coalesce(r.rate, 10) as rate
from per_second as p
left join ref_short_codes as r on r.code = p.short_code
where $brand is null or p.brand_sent
