-- R9: the local days on which each short code had accepted MT traffic. A month in which a code
-- that sends nearly every day falls silent for weeks holds part of its traffic only (logs
-- not loaded for those days, an outage): the forecast must not learn that month as real
-- (opsanalytics.forecast.plan.silent_months).
select short_code, cast(submitted_at at time zone $tz as date) as day
from fct_mt
where outcome = 'accepted'
  and short_code is not null
group by all
order by short_code, day
