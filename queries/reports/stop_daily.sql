-- R4 picture: opt-out (STOP) and opt-in (START) MOs per local day and short code.
with mo as (
    select cast(received_at at time zone $tz as date) as day,
           coalesce(short_code, '(none)') as short_code, keyword
    from fct_mo
    where outcome = 'accepted' and keyword in ('STOP', 'START')
      and ($short_code is null or short_code = $short_code)
)
select day, short_code,
       count(*) filter (where keyword = 'STOP') as stops,
       count(*) filter (where keyword = 'START') as starts
from mo
where ($date_from is null or day >= $date_from)
  and ($date_to is null or day <= $date_to)
group by day, short_code
order by day, short_code
