-- R8 picture: per short code and hour, the busiest second (segments submitted in one
-- second, counted as R8 counts them: accepted and SMSC-refused MT lines, one operation per
-- segment), the segments of the hour and the seconds above the subscribed rate. An hour grain keeps a
-- month plottable while the per-second peak stays exact. With a brand filter, the seconds
-- in which that brand sent (as R8 does).
with lines as (
    select short_code, brand, date_trunc('second', submitted_at) as second,
           coalesce(segments, 1) as segments
    from fct_mt
    where outcome in ('accepted', 'refused')
      and short_code is not null
      and ($short_code is null or short_code = $short_code)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),
per_second as (
    select short_code, second, sum(segments) as segments, bool_or(brand = $brand) as brand_sent
    from lines
    group by short_code, second
),
rated as (
    select p.*, coalesce(r.rate, 10) as rate
    from per_second p left join ref_short_codes r on r.code = p.short_code
    where $brand is null or p.brand_sent
)
select short_code,
       date_trunc('hour', second) as hour,
       max(segments) as peak_per_second,
       sum(segments) as segments,
       count(*) filter (where segments > rate) as seconds_over,
       any_value(rate) as rate
from rated
group by short_code, hour
order by short_code, hour
