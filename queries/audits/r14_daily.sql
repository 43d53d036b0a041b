-- R14 QUALITY: per local day ($tz) and short code, the delivery rate among lines whose final
-- status is known (and whose dlr-mask asked for both outcomes) and the median latency of
-- delivered lines (seconds), for the trend chart. Same definitions as r14_quality.sql.
select
    cast(submitted_at at time zone $tz as date) as day,
    short_code,
    count(*) as accepted,
    count(*) filter (where final_status = 'delivered') as delivered,
    round(count(*) filter (where final_status = 'delivered' and not one_sided)
          / nullif(count(*) filter (where not one_sided
                                    and final_status in ('delivered', 'failed', 'expired', 'rejected')), 0), 4)
        as delivery_rate,
    round(median(greatest(epoch(final_at - submitted_at), 0)) filter (where final_status = 'delivered'), 1)
        as latency_p50_s
from (
    select *, coalesce(dlr_mask_requested > 0 and dlr_mask_requested & 3 in (1, 2), false) as one_sided
    from fct_mt
) as m
where outcome = 'accepted' and forwarded is null
  and ($short_code is null or short_code = $short_code)
  and ($brand is null or brand = $brand)
  and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
order by day, short_code nulls last
