-- Data quality: the MT lines the gateway did not send (REJECTED/FAILED Send SMS, DISCARDED,
-- EXPIRED: status's mt.refused), per label and short code, with those of which part 1 reached
-- the number (partly_sent) apart; a first example of each. No rule judges a message that was
-- never sent, but a brand whose MTs are refused en masse has a problem the audits cannot show
-- (a refused destination, an expired validity, a link down for hours). Forwarded DLRs and MOs
-- (fct_mt.forwarded) are no one's messages, left out. Period: local day of the line.
with lines as (
    select label, coalesce(short_code, '(none)') as short_code, coalesce(brand, '(none)') as brand,
           partly_sent, submitted_at, mt_id
    from fct_mt
    where outcome <> 'accepted'
      and forwarded is null
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)
select label,
       short_code,
       brand,
       count(*) as lines,
       count(*) filter (where partly_sent) as partly_sent,
       min(submitted_at) as first_at,
       arg_min(mt_id, submitted_at) as first_mt_id
from lines
group by label, short_code, brand
order by lines desc, label, short_code, brand
