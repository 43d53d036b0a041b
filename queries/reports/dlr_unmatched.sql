-- Data quality: delivery reports that link to no MT, per connection and origin; a high
-- count points at FIDs lost across restarts or duplicate receipts from the SMSC.
with dlr as (
    select coalesce(smsc, '(none)') as smsc, source, unmatched
    from fct_dlr
    where ($date_from is null or logged_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or logged_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)
select smsc, source,
       count(*) as dlr_lines,
       count(*) filter (where unmatched) as unmatched,
       round(100.0 * count(*) filter (where unmatched) / count(*), 2) as unmatched_pct
from dlr
group by smsc, source
order by unmatched desc, smsc, source
