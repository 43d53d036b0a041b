-- Receipts whose status the log does not give, per SMSC connection: no DLR status field
-- (an access-log-format without %d) and no `stat:` in the receipt text (a UCP/EMI
-- notification is the SMSC's own sentence). Their messages' final status stays unknown
-- (pending at best), which ingest says (opsanalytics.ingest.cautions).
select
    smsc,
    count(*) as receipts
from fct_dlr
where outcome in ('accepted', 'dropped')
  and source = 'receipt'
  and status is null
group by smsc
order by receipts desc, smsc
