-- R4: MO messages whose text the log does not carry (a gateway whose access-log-format has
-- no %b, or an export without a text column): a STOP among them cannot be seen, so the
-- audit says how many there were instead of reporting their numbers as never opted out.
select count(*) as messages
from fct_mo
where outcome = 'accepted'
  and text is null
  and ($short_code is null or short_code = $short_code)
  and ($date_from is null or received_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or received_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
