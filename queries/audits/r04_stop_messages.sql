-- R4: STOP messages received (MO lines), each counted once however many brands it concerns
-- (r04_stop_stats counts per STOP and brand). Same filters as r04_stop_stats: local date
-- received, short code sent to, brand concerned.
select count(distinct mo_id) as stop_messages
from fct_opt_events
where keyword = 'STOP'
  and ($short_code is null or mo_short_code = $short_code)
  and ($brand is null or brand = $brand)
  and ($date_from is null or opt_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or opt_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
