-- R4 picture: opt-out (STOP) and opt-in (START) MOs per local day and short code.
-- A brand filter: the opt events that concern the brand as R4 reads them (fct_opt_events: an
-- MO to a code the brand sends marketing on concerns it), so that the chart, page 30's
-- headline and R4 agree; a brand that sends no marketing has none.
with brand_opts as (
    select distinct msisdn, opt_at, keyword
    from fct_opt_events
    where $brand is not null and brand = $brand
),
mo as (
    select cast(m.received_at at time zone $tz as date) as day,
           coalesce(m.short_code, '(none)') as short_code, m.keyword
    from fct_mo as m
    where m.outcome = 'accepted' and m.keyword in ('STOP', 'START')
      and ($short_code is null or m.short_code = $short_code)
      and ($brand is null or exists (
            select 1 from brand_opts as o
            where o.msisdn = m.msisdn and o.opt_at = m.received_at and o.keyword = m.keyword))
)
select day, short_code,
       count(*) filter (where keyword = 'STOP') as stops,
       count(*) filter (where keyword = 'START') as starts
from mo
where ($date_from is null or day >= $date_from)
  and ($date_to is null or day <= $date_to)
group by day, short_code
order by day, short_code
