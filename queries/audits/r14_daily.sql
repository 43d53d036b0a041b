-- R14 QUALITY: per local day ($tz) and short code, the delivery rate among lines whose final
-- status is known and the median latency of delivered lines (seconds), for the trend chart.
-- Same definitions as r14_quality.sql.
select
    cast(submitted_at at time zone $tz as date) as day,
    short_code,
    count(*) as accepted,
    count(*) filter (where final_status = 'delivered') as delivered,
    round(count(*) filter (where final_status = 'delivered')
          / nullif(count(*) filter (where final_status in ('delivered', 'failed', 'expired', 'rejected')), 0), 4)
        as delivery_rate,
    round(median(epoch(final_at - submitted_at)) filter (where final_status = 'delivered'), 1) as latency_p50_s
from fct_mt
where outcome = 'accepted'
  and ($short_code is null or short_code = $short_code)
  and ($brand is null or brand = $brand)
  and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
order by day, short_code nulls last
