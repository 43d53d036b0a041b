-- Data quality: delivery reports that link to no MT, per connection and origin; a high
-- count points at FIDs lost across restarts or duplicate receipts from the SMSC.
-- Under a short-code or brand filter, each DLR line is attributed as its MT would be: the
-- linked MT's short code and brand; for a DLR linked to none, the contract's short code
-- whose smsc is the DLR's (else its sender when that is a plain 5-digit code)
-- and the brand of its service (Kannel logs the MT's SVC on its DLRs). A line of another
-- code or brand is left out; one that cannot be attributed (no such smsc, sender or
-- service) is kept apart: attributed = false, for the page to say how many.
with smsc_codes as (
    select smsc, code from ref_connections
),
dlr as (
    select coalesce(nullif(d.smsc, ''), '(none)') as smsc, d.source, d.unmatched,
           coalesce(m.short_code, c.code,
                    case when regexp_full_match(d.sender, '[0-9]{5}') then d.sender end) as short_code,
           coalesce(m.brand, s.brand) as brand
    from fct_dlr as d
    left join fct_mt as m on m.mt_id = d.mt_id
    left join smsc_codes as c on c.smsc = d.smsc
    left join ref_services as s on s.name = d.service
    where ($date_from is null or d.logged_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or d.logged_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),
scoped as (
    select smsc, source, unmatched,
           ($short_code is null or short_code is not null) and ($brand is null or brand is not null) as attributed
    from dlr
    where ($short_code is null or short_code is null or short_code = $short_code)
      and ($brand is null or brand is null or brand = $brand)
)
select smsc, source, attributed,
       count(*) as dlr_lines,
       count(*) filter (where unmatched) as unmatched,
       round(100.0 * count(*) filter (where unmatched) / count(*), 2) as unmatched_pct
from scoped
group by smsc, source, attributed
order by attributed desc, unmatched desc, smsc, source
