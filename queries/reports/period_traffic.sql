-- Accepted MT messages of the period for the report's filters: with none, every rule finds
-- nothing to judge, and the executive summary says "no traffic" rather than "clean".
select count(*) as mt_messages
from fct_logical_messages
where accepted
  and ($short_code is null or short_code = $short_code)
  and ($brand is null or brand = $brand)
  and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
