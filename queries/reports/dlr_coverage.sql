-- Data quality: per short code, how many MT accepted by the platform have a final delivery
-- report, and which. Low coverage makes R10's non-Orange share and billing estimates weak.
with accepted as (
    select coalesce(short_code, '(none)') as short_code, final_status
    from fct_mt
    where outcome = 'accepted'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),
by_code as (
    select short_code,
           count(*) as mt_accepted,
           count(*) filter (where final_status = 'delivered') as delivered,
           count(*) filter (where final_status = 'failed') as failed,
           count(*) filter (where final_status = 'expired') as expired,
           count(*) filter (where final_status = 'rejected') as rejected,
           count(*) filter (where final_status = 'pending') as pending,
           count(*) filter (where final_status is null) as no_dlr
    from accepted
    group by short_code
)
select *,
       round(100.0 * (mt_accepted - no_dlr - pending) / nullif(mt_accepted, 0), 2) as final_dlr_pct,
       round(100.0 * delivered / nullif(mt_accepted, 0), 2) as delivered_pct
from by_code
order by final_dlr_pct asc nulls first, short_code
