-- Data quality: receipts Kannel matched to no MT (unmatched DLR lines) that carry the message
-- id and number of an MT line sent on another connection: Kannel looks a receipt up under the
-- smsc-id of the connection it arrived on (and in its own gateway's DLR store), so a
-- receiver bind with an smsc-id of its own beside its transmitter finds none of them (real
-- Kannel 1.4.5, a probe: `FAILED Receive DLR [SMSC:ora_c_rx] [FID:CC000003]` for the MT `Sent
-- SMS [SMSC:ora_c_tx] [FID:CC000003]`; the application got no delivery report, every MT of the
-- code stayed pending), and neither does a gateway the SMSC delivered the receipt to when
-- another gateway, side by side, sent the MT (a probe: two gateways, orange_36180_a and _b).
-- Per pair of connections: how many, and the first; of the receipts logged on the local days
-- $date_from to $date_to (those an ingest loaded: ingest/cautions.py), so a nightly job is
-- not told every night about a receipt of weeks ago (its MT may be of any day).
select d.smsc as received_on, m.smsc as sent_on, count(distinct d.dlr_id) as receipts,
       min(d.logged_at) as first_at
from fct_dlr as d
join fct_mt as m
    on m.fid = d.fid and m.smsc <> d.smsc and m.msisdn_raw in (d.sender, d.receiver)
where d.unmatched and d.fid <> '' and d.source = 'receipt' and coalesce(d.smsc, '') <> ''
  and ($date_from is null or d.logged_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or d.logged_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
group by all
order by receipts desc, received_on, sent_on
