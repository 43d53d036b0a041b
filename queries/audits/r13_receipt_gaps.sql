-- R13 SLA: receipt gaps per gateway connection: runs of at least $min_gap_lines accepted MT
-- lines that asked for a final receipt (dlr-mask 1 or 2 set) and got no DLR line at all,
-- with no line between them that got one. A lost receipt here and there is the network's
-- usual loss; a run of them is the SMSC no longer sending receipts (a DLR gap), which
-- RULES.md names among the outages an SLA claim rests on. Lines logged less than
-- $receipt_wait before the connection's last logged line are left out: their receipts may
-- still come (the log ends, not the service).
with lines as (
    select
        m.smsc,
        m.short_code,
        m.mt_id,
        m.load_id,
        m.line_no,
        m.submitted_at,
        m.dlr_mask_requested > 0 and m.dlr_mask_requested & 3 <> 0 and coalesce(m.dlr_lines, 0) = 0 as missing
    from fct_mt as m
    where m.outcome = 'accepted'
      and m.smsc is not null and m.smsc <> ''
      and m.forwarded is null
      and m.dlr_mask_requested > 0 and m.dlr_mask_requested & 3 <> 0
      and ($short_code is null or m.short_code = $short_code)
),

ends as (
    select smsc, max(submitted_at) as last_line_at
    from lines
    group by smsc
),

sequenced as (
    select
        l.*,
        count(*) filter (where not l.missing) over (
            partition by l.smsc order by l.submitted_at, l.mt_id rows between unbounded preceding and current row
        ) as received_seen
    from lines as l
    join ends as e using (smsc)
    where l.submitted_at <= e.last_line_at - $receipt_wait
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
   and ($date_from is null or max(submitted_at) >= timezone($tz, cast($date_from as timestamp)))
   and ($date_to is null or min(submitted_at) < timezone($tz, cast($date_to as timestamp) + interval 1 day))
order by first_line_at, smsc
