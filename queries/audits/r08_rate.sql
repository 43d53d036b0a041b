-- R8 RATE: per short code and second, the segments submitted (accepted MT lines: one
-- operation per segment, multipart and resubmissions each counted, refused lines not);
-- one row per second above the short code's subscribed rate (10 SMS/s when the short code
-- is not in the contract). The brand filter keeps the seconds in which that brand sent.
with lines as (
    select
        short_code,
        brand,
        date_trunc('second', submitted_at) as second,
        coalesce(segments, 1) as segments
    from fct_mt
    where outcome = 'accepted'
      and short_code is not null
      and ($short_code is null or short_code = $short_code)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

per_second as (
    select
        short_code,
        second,
        cast(sum(segments) as bigint) as segments,
        count(*) as lines,
        bool_or(brand = $brand) as brand_sent
    from lines
    group by short_code, second
)

select
    p.short_code,
    p.second,
    p.segments,
    coalesce(r.rate, 10) as rate,
    p.segments - coalesce(r.rate, 10) as over_by,
    p.lines
from per_second as p
left join ref_short_codes as r on r.code = p.short_code
where p.segments > coalesce(r.rate, 10)
  and ($brand is null or p.brand_sent)
order by p.short_code, p.second
