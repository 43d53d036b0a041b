-- The first and last local day with traffic, MT or MO: the period of a report page opened
-- without dates (a warehouse of MOs only has one too; R9's mt_day_range counts MT only).
-- As there, the earliest and latest instants are converted, not every row.
with spans as (
    select min(submitted_at) as first_at, max(submitted_at) as last_at from fct_mt
    union all
    select min(received_at), max(received_at) from fct_mo
)
select cast(min(first_at) at time zone $tz as date) as first_day,
       cast(max(last_at) at time zone $tz as date) as last_day
from spans
