-- Data quality: do the log's times agree with the SMSC's clock? Each SMPP receipt carries
-- the `submit date` the SMSC recorded for its MT (minutes, in the SMSC's zone: the
-- contract's receipt_timezone, $receipt_tz); set against the MT's time in the log (read
-- with log_timezone), the offset is about zero (under a minute: the date drops the
-- seconds) when both are right. A median of whole hours means log_timezone, or the zone of
-- the SMSC's clock, is not what the contract says: R2's window would be shifted by as much.
-- A FAILED Receive DLR is left out even when linked (fid_lost): most are duplicates, which
-- would count one receipt twice.
with pairs as (
    select
        coalesce(nullif(d.smsc, ''), '(none)') as smsc,
        epoch(timezone($receipt_tz, d.submit_date)) - epoch(m.submitted_at) as offset_s
    from fct_dlr as d
    join fct_mt as m using (mt_id)
    where d.source = 'receipt'
      and d.outcome <> 'unmatched'
      and d.submit_date is not null
      and ($short_code is null or m.short_code = $short_code)
      and ($brand is null or m.brand = $brand)
      and ($date_from is null or m.submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or m.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)
select
    smsc,
    count(*) as receipts,
    round(median(offset_s) / 60.0, 1) as median_offset_minutes,
    round(100.0 * count(*) filter (where abs(offset_s) <= 120) / count(*), 1) as within_2_minutes_pct
from pairs
group by smsc
order by abs(median(offset_s)) desc, smsc
