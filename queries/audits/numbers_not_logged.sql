-- R1, R5, R10: the logical messages accepted by the platform whose recipient the log does
-- not carry (a custom access-log-format without %P: events.receiver is NULL). These rules
-- judge a number, so they cannot judge them: not breaches, the audits say how many went
-- unchecked (as R3 does for texts not logged).
select count(*) as messages
from fct_logical_messages
where accepted
  and msisdn is null
  and ($short_code is null or short_code = $short_code)
  and ($brand is null or brand = $brand)
  and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
