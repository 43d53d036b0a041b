-- R14 QUALITY: the network errors of accepted MT lines that were not delivered, per short
-- code: the error as fct_mt.dlr_err holds it (META dlr_err hex such as 03001B, else the
-- receipt's err: in decimal such as 027; NULL when the log gives none), and the final status
-- it came with (failed, expired, rejected). Python reads the GSM error out of it
-- (opsanalytics.quality); the SQL only counts.
select
    short_code,
    final_status,
    dlr_err,
    count(*) as lines
from fct_mt
where outcome = 'accepted' and forwarded is null
  and final_status in ('failed', 'expired', 'rejected')
  and ($short_code is null or short_code = $short_code)
  and ($brand is null or brand = $brand)
  and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
order by lines desc, short_code nulls last, final_status, dlr_err nulls last
