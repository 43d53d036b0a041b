-- R13 SLA: receipt gaps per gateway connection: runs of at least $min_gap_lines accepted MT
-- lines whose dlr-mask asked for both final outcomes (mask & 3 = 3) and that got no final
-- receipt (fct_mt.final_status NULL, or pending: Kannel's own ACK/, an ENROUTE, are no
-- final receipt; real Kannel 1.4.5, tests/fixtures/kannel-1.4.5/outages/receipts), with no
-- line between them that got one. A lost receipt here and there is the network's usual loss;
-- a run of them is the SMSC no longer sending receipts (a DLR gap), which RULES.md names among
-- the outages an SLA claim rests on. A line asking for one outcome only cannot tell (with mask
-- 1 a failure leaves no receipt): left out. A run no later line closes (its connection's last
-- lines) may be receipts still to come, and is left out too.
with lines as (
    select
        m.smsc,
        m.short_code,
        m.mt_id,
        m.load_id,
        m.line_no,
        m.submitted_at,
        coalesce(m.final_status, 'pending') = 'pending' as missing
    from fct_mt as m
    where m.outcome = 'accepted'
      and m.smsc is not null and m.smsc <> ''
      and m.forwarded is null
      and m.dlr_mask_requested > 0 and m.dlr_mask_requested & 3 = 3
      and ($short_code is null or m.short_code = $short_code)
),

sequenced as (
    select
        *,
        -- (count_if, not FILTER: a running window with FILTER is quadratic in DuckDB)
        count_if(not missing) over (
            partition by smsc order by submitted_at, mt_id rows between unbounded preceding and current row
        ) as received_seen,
        count_if(not missing) over (partition by smsc) as received_all
    from lines
)

select
    smsc,
    string_agg(distinct short_code, ', ' order by short_code) as short_codes,
    min(submitted_at) as first_line_at,
    max(submitted_at) as last_line_at,
    epoch(max(submitted_at) - min(submitted_at)) as seen_s,
    count(*) as lines,
    arg_min(load_id, (submitted_at, mt_id)) as first_load_id,
    arg_min(line_no, (submitted_at, mt_id)) as first_line_no
from sequenced
where missing
group by smsc, received_seen
having count(*) >= $min_gap_lines
   -- a later line got its receipt: the gap closed
   and any_value(received_all) > any_value(received_seen)
   and ($date_from is null or max(submitted_at) >= timezone($tz, cast($date_from as timestamp)))
   and ($date_to is null or min(submitted_at) < timezone($tz, cast($date_to as timestamp) + interval 1 day))
order by first_line_at, smsc
