-- R8 RATE: one row per short code and second above the short code's subscribed rate (10
-- SMS/s when the short code is not in the contract), from audit_r08_seconds (r08_seconds:
-- segments of accepted MT lines per short code and second). A second is over when its
-- count is: segments_max (the upper bound of lossy texts) only says by how much it may be.
-- Provenance: mt_ids lists, sorted, the event ids of the accepted MT lines counted in that
-- second (every brand's: the rate is per short code), so the breach leads back to its raw
-- lines. Seconds are instants: in the repeated autumn hour of a local-time log, the two
-- "02:30:00" are two seconds, each with its own lines. The lines are looked up for the
-- seconds over the rate only.
with over as materialized (
    select short_code, epoch_second, segments, segments_max, rate, lines
    from audit_r08_seconds
    where segments > rate
),

over_lines as (
    select o.short_code, o.epoch_second, list(m.mt_id order by m.mt_id) as mt_ids
    from over as o
    join fct_mt as m
      on m.short_code = o.short_code
     and epoch_ms(m.submitted_at) // 1000 = o.epoch_second
    where m.outcome = 'accepted'
      -- (the span of the seconds over: lets the scan skip the rest of the month)
      and m.submitted_at >= (select to_timestamp(min(epoch_second)) from over)
      and m.submitted_at < (select to_timestamp(max(epoch_second) + 1) from over)
    group by o.short_code, o.epoch_second
)

select
    o.short_code,
    to_timestamp(o.epoch_second) as second,
    o.segments,
    o.segments_max,
    o.rate,
    o.segments - o.rate as over_by,
    o.lines,
    l.mt_ids
from over as o
join over_lines as l using (short_code, epoch_second)
order by o.short_code, o.epoch_second
