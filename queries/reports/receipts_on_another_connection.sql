-- Data quality: receipts Kannel matched to no MT (unmatched DLR lines) that carry the message
-- id and number of an MT line sent on another connection: Kannel looks a receipt up under the
-- smsc-id of the connection it arrived on, so a receiver bind with an smsc-id of its own
-- beside its transmitter finds none of them (real Kannel 1.4.5, a probe: `FAILED Receive DLR
-- [SMSC:ora_c_rx] [FID:CC000003]` for the MT `Sent SMS [SMSC:ora_c_tx] [FID:CC000003]`; the
-- application got no delivery report, every MT of the code stayed pending). Per pair of
-- connections: how many, and the first.
select d.smsc as received_on, m.smsc as sent_on, count(distinct d.dlr_id) as receipts,
       min(d.logged_at) as first_at
from fct_dlr as d
join fct_mt as m
    on m.fid = d.fid and m.smsc <> d.smsc and m.msisdn_raw in (d.sender, d.receiver)
where d.unmatched and d.fid <> '' and d.source = 'receipt' and coalesce(d.smsc, '') <> ''
group by all
order by receipts desc, received_on, sent_on
