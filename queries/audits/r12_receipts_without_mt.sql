-- R12 BILL, its upper bound: receipts that say delivered and link to no MT line, per local
-- month ($tz) of the receipt and short code, one segment each distinct (connection, receipt
-- id) (a receipt the SMSC sent twice counts once). Kannel resends a submit it had no answer
-- for (wait-ack, a reconnect) that the SMSC may have accepted already: the handset gets the
-- message twice, the log one `Sent SMS` line, and the second copy's receipts match no MT
-- (`FAILED Receive DLR`, a FID no line holds; a probe's real Kannel 1.4.5: 11 such deliveries,
-- and the invoice's at_most_eur below what Orange may rightly bill). The receipt of an MT
-- the warehouse does not hold (sent before its first log) reads the same. Orange may bill
-- them: the bound counts them, the bill does not. The short code: the connection's, else the
-- receipt's own short-code number (a `FAILED Receive DLR` writes the numbers swapped).
select
    cast(date_trunc('month', d.logged_at at time zone $tz) as date) as month,
    coalesce(c.code, case when regexp_full_match(d.own_number, '[0-9]{5}') then d.own_number end) as short_code,
    count(distinct (d.smsc, coalesce(d.receipt_id, d.fid))) as receipts
from (
    select *, case when outcome = 'unmatched' then receiver else sender end as own_number
    from fct_dlr
) as d
left join ref_connections as c on c.smsc = d.smsc
where d.source = 'receipt'
  and d.mt_id is null
  and upper(d.stat) = 'DELIVRD'
  and ($date_from is null or d.logged_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or d.logged_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
having $short_code is null or short_code = $short_code
order by month, short_code
