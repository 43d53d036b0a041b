-- R13 SLA: receipt stalls per gateway connection: runs of at least $min_gap_lines accepted MT
-- lines whose dlr-mask asked for both final outcomes (mask & 3 = 3) and whose final receipt
-- came, but more than $stall_seconds after the submit, with no line between them whose
-- receipt came sooner. One late receipt is a handset switched off (the SMSC retries it for
-- its validity); a run of them is the SMSC holding its receipts and releasing them later (a
-- DLR gap that closed: a session-33 probe's SMSC held them 7 hours, which
-- r13_receipt_gaps.sql, made of receipts that never came, does not show). Lines without a
-- final receipt are r13_receipt_gaps.sql's: they neither break a stall nor are part of one.
-- The gateway's own restart on the connection breaks a stall as a timely line does.
-- Each run: its submits' span, the first and last receipt, the shortest and longest delay
-- (every receipt of the run was held at least the shortest), the first line's provenance.
with lines as (
    select
        m.smsc,
        m.short_code,
        m.mt_id,
        m.load_id,
        m.line_no,
        m.submitted_at,
        m.final_at,
        epoch(m.final_at - m.submitted_at) > $stall_seconds as late
    from fct_mt as m
    where m.outcome = 'accepted'
      and m.smsc is not null and m.smsc <> ''
      and m.forwarded is null
      and m.dlr_mask_requested > 0 and m.dlr_mask_requested & 3 = 3
      and coalesce(m.final_status, 'pending') <> 'pending'
      and m.final_at is not null
      and ($short_code is null or m.short_code = $short_code)
),

restarts as (
    -- the gateway's own downtime on the connection (r13_connection_down.sql), numbered: a
    -- stall is not read across it, as an incident is not (the log proves nothing in between)
    select smsc, down_to, row_number() over (partition by smsc order by down_to) as restarts_before
    from r13_connection_down($reopen_seconds)
),

sequenced as (
    select
        l.*,
        coalesce(r.restarts_before, 0) as restarts_before,
        -- (count_if, not FILTER: a running window with FILTER is quadratic in DuckDB)
        count_if(not l.late) over (
            partition by l.smsc order by l.submitted_at, l.mt_id rows between unbounded preceding and current row
        ) as timely_seen
    from lines as l
    asof left join restarts as r
        on r.smsc = l.smsc and l.submitted_at >= r.down_to
)

select
    smsc,
    string_agg(distinct short_code, ', ' order by short_code) as short_codes,
    min(submitted_at) as first_line_at,
    max(submitted_at) as last_line_at,
    epoch(max(submitted_at) - min(submitted_at)) as seen_s,
    count(*) as lines,
    min(final_at) as first_receipt_at,
    max(final_at) as last_receipt_at,
    min(epoch(final_at - submitted_at)) as shortest_delay_s,
    max(epoch(final_at - submitted_at)) as longest_delay_s,
    arg_min(load_id, (submitted_at, mt_id)) as first_load_id,
    arg_min(line_no, (submitted_at, mt_id)) as first_line_no
from sequenced
where late
group by smsc, restarts_before, timely_seen
having count(*) >= $min_gap_lines
   and ($date_from is null or max(submitted_at) >= timezone($tz, cast($date_from as timestamp)))
   and ($date_to is null or min(submitted_at) < timezone($tz, cast($date_to as timestamp) + interval 1 day))
order by first_line_at, smsc
