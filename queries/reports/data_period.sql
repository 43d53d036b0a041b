-- The first and last local day with MT traffic: a report's default period when none is given.
select cast(min(submitted_at) at time zone $tz as date) as first_day,
       cast(max(submitted_at) at time zone $tz as date) as last_day
from fct_mt
