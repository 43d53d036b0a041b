-- Data quality: gateway connections (Kannel smsc-id) carrying accepted MTs that the contract's
-- [[short_codes]] smsc does not name, when it names some. A line on such a connection gets
-- its short code from its sender only (a 5-digit number), never from the connection: a second
-- bind to Orange with an smsc-id of its own, left out of the contract, makes its traffic
-- escape R6-R8 or count as unknown short code. (A contract that names no connection reads
-- every line by its sender: nothing to say; nor are lines that name no connection.)
select
    m.smsc,
    count(*) as mt_lines,
    sum(coalesce(m.segments, 1))::BIGINT as segments,
    list(distinct m.short_code order by m.short_code) filter (where m.short_code is not null) as short_codes,
    coalesce(list(distinct m.oadc order by m.oadc) filter (where coalesce(m.oadc, '') <> ''), [])[1:5] as senders,
    min(m.submitted_at) as first_at,
    max(m.submitted_at) as last_at
from fct_mt as m
anti join ref_connections as c on c.smsc = m.smsc
where m.outcome = 'accepted'
  and coalesce(m.smsc, '') <> ''
  and exists (select 1 from ref_connections)
  and ($short_code is null or m.short_code = $short_code)
  and ($brand is null or m.brand = $brand)
  and ($date_from is null or m.submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or m.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
order by mt_lines desc, smsc
