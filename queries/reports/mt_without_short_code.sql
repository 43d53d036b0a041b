-- Data quality: accepted MT lines that name no connection and whose sender is not a short
-- code (a sender name such as ACME), so that no short code can be told for them: R6 reads
-- each as an unknown short code and R7 as an OAdC that is not the code, R8 counts them
-- nowhere. A Kannel log always names the connection; a canonical file without `smsc` (or
-- with it empty) does not (a probe: 2,553 R6 breaches from an export that left the column
-- out, without a word at load). Lines on a connection the contract does not map are said by
-- connections_not_in_contract.sql.
select
    count(*) as mt_lines,
    coalesce(list(distinct m.oadc order by m.oadc) filter (where coalesce(m.oadc, '') <> ''), [])[1:5] as senders
from fct_mt as m
where m.outcome = 'accepted'
  and m.short_code is null
  and coalesce(m.smsc, '') = ''
  and ($short_code is null or m.short_code = $short_code)
  and ($brand is null or m.brand = $brand)
  and ($date_from is null or m.submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or m.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
having count(*) > 0
