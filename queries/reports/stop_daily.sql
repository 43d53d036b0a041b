-- R4 picture: opt-out (STOP) and opt-in (START) MOs per local day and short code.
with mo as (
    select cast(received_at at time zone $tz as date) as day,
           coalesce(short_code, '(none)') as short_code, keyword
    from fct_mo
    where outcome = 'accepted' and keyword in ('STOP', 'START')
      and ($short_code is null or short_code = $short_code)
      -- a brand filter: the MOs to the short codes the brand sends on (an MO to a code concerns
      -- every brand on it, as an opt-out does for R4)
      and ($brand is null or short_code in (select short_code from fct_logical_messages where brand = $brand))
)
select day, short_code,
       count(*) filter (where keyword = 'STOP') as stops,
       count(*) filter (where keyword = 'START') as starts
from mo
where ($date_from is null or day >= $date_from)
  and ($date_to is null or day <= $date_to)
group by day, short_code
order by day, short_code
