-- Traffic per local day and short code: logical MT messages accepted, their segments, MO
-- received and opt-outs among them; the backdrop every rule's counts are read against.
with mt as (
    select cast(submitted_at at time zone $tz as date) as day,
           coalesce(short_code, '(none)') as short_code,
           count(*) as mt_messages,
           sum(segments) as mt_segments
    from fct_logical_messages
    where accepted
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
    group by all
),
-- a brand filter: the STOPs that concern the brand as R4 reads them (fct_opt_events: sent to a
-- code the brand sends marketing on), so that pages 00 and 30 and R4 give one figure; a brand
-- that sends no marketing has none (its STOPs were counted on the codes it shares)
brand_stops as (
    select distinct msisdn, opt_at
    from fct_opt_events
    where $brand is not null and brand = $brand and keyword = 'STOP'
),
mo as (
    select cast(m.received_at at time zone $tz as date) as day,
           coalesce(m.short_code, '(none)') as short_code,
           count(*) as mo_messages,
           count(*) filter (where m.keyword = 'STOP' and ($brand is null or b.msisdn is not null)) as stops
    from fct_mo as m
    left join brand_stops as b on b.msisdn = m.msisdn and b.opt_at = m.received_at
    where m.outcome = 'accepted'
      and ($short_code is null or m.short_code = $short_code)
      -- a brand filter: the MOs to the short codes the brand sends on (an MO to a code concerns
      -- every brand on it)
      and ($brand is null or m.short_code in (select short_code from fct_logical_messages where brand = $brand))
    group by all
),
joined as (
    select coalesce(mt.day, mo.day) as day,
           coalesce(mt.short_code, mo.short_code) as short_code,
           coalesce(mt.mt_messages, 0) as mt_messages,
           coalesce(mt.mt_segments, 0) as mt_segments,
           coalesce(mo.mo_messages, 0) as mo_messages,
           coalesce(mo.stops, 0) as stops
    from mt full outer join mo on mt.day = mo.day and mt.short_code = mo.short_code
)
select *
from joined
where ($date_from is null or day >= $date_from)
  and ($date_to is null or day <= $date_to)
order by day, short_code
