-- R13 SLA: every gateway connection that carried MT lines, with the short codes it carried:
-- the connections an availability is given for (one without an incident is available the
-- whole time the logs cover).
select
    smsc,
    string_agg(distinct short_code, ', ' order by short_code) as short_codes,
    count(*) as mt_lines
from fct_mt
where smsc is not null and smsc <> ''
  and forwarded is null
  and ($short_code is null or short_code = $short_code)
group by smsc
order by smsc
