-- R3: the logical marketing messages R3 must judge but cannot, because the log does not
-- carry their text (a gateway whose access-log-format has no %b, or an export without a
-- text column). Not breaches: the audit says how many went unchecked.
select count(*) as messages
from fct_logical_messages as l
left join ref_services as s on s.name = l.service
where l.accepted
  and l.text is null
  and l.category = 'marketing'
  and not coalesce(s.stop_notice_exempt, false)
  and ($short_code is null or l.short_code = $short_code)
  and ($brand is null or l.brand = $brand)
  and ($date_from is null or l.submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or l.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
