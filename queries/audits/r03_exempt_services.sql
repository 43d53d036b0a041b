-- R3: the services whose messages are exempt from the STOP mention, as the facts hold them
-- (ref_services, written at ingest): the ones r03_stop_mention skipped, whatever the
-- contract file given to `audit` says now.
select name
from ref_services
where stop_notice_exempt
order by name
