-- Data quality: MTs accepted by the platform whose service (Kannel SVC, the sendsms user or
-- sms-service) is not in the contract's [[services]]. They have no brand and no category, so
-- no marketing rule (R1, R2, R3, R4) looks at them: traffic escaping the audits until the
-- contract names it. '(none)': lines that carry no service.
select
    coalesce(nullif(m.service, ''), '(none)') as service,
    count(*) as mt_lines,
    sum(coalesce(m.segments, 1))::BIGINT as segments,
    count(distinct m.msisdn) as numbers,
    list(distinct m.short_code order by m.short_code) filter (where m.short_code is not null) as short_codes,
    min(m.submitted_at) as first_at,
    max(m.submitted_at) as last_at
from fct_mt as m
anti join ref_services as s on s.name = m.service
where m.outcome = 'accepted'
  and ($short_code is null or m.short_code = $short_code)
  and $brand is null   -- no brand: a brand filter selects none of them
  and ($date_from is null or m.submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or m.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
order by mt_lines desc, service
