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
mo as (
    select cast(received_at at time zone $tz as date) as day,
           coalesce(short_code, '(none)') as short_code,
           count(*) as mo_messages,
           count(*) filter (where keyword = 'STOP') as stops
    from fct_mo
    where outcome = 'accepted'
      and ($short_code is null or short_code = $short_code)
      -- a brand filter: the MOs to the short codes the brand sends on (an MO to a code concerns
      -- every brand on it, as an opt-out does for R4)
      and ($brand is null or short_code in (select short_code from fct_logical_messages where brand = $brand))
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
