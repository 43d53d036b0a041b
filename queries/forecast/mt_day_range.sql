-- The first and last local day with MT traffic. R9 compares a forecast only with months lying
-- wholly inside them (a month the logs only partly cover would look like a shortfall); a
-- report opened without dates covers them; a period outside them has no traffic to judge.
-- The earliest and latest instants are converted, not every row (one conversion instead of
-- millions: 0.03 s against 1.3 s on 10 M rows); their days are the first and last local days
-- wherever the clocks never change across midnight, as in Europe/Paris (02:00-03:00).
select cast(min(submitted_at) at time zone $tz as date) as first_day,
       cast(max(submitted_at) at time zone $tz as date) as last_day
from fct_mt
