-- R8 RATE: one row per short code and second above the short code's subscribed rate (10
-- SMS/s when the short code is not in the contract), from audit_r08_seconds (r08_seconds:
-- segments of accepted MT lines per short code and second). A second is over when its
-- count is: segments_max (the upper bound of lossy texts) only says by how much it may be.
-- Provenance: mt_ids lists, sorted, the event ids of the accepted MT lines counted in that
-- second (every brand's: the rate is per short code), so the breach leads back to its raw
-- lines. Seconds are instants: in the repeated autumn hour of a local-time log, the two
-- "02:30:00" are two seconds, each with its own lines. The lines are looked up for the
-- seconds over the rate only.
-- beyond_ack_delay: whether the second lies in a run of seconds that no compliant sender could
-- have logged. A line's second is the SMSC's acknowledgement, up to $ack_delay_seconds after the
-- submit (a message Kannel split: its last part's), so k seconds of a log at the rate may hold
-- rate x (k + $ack_delay_seconds) segments (measured on a real Kannel 1.4.5 held at its rate:
-- up to 14 lines in one second at 10/s). Over any window [a, b] of seconds holding t, with
-- cum the running sum of segments and f(x) = cum(x) - rate x: the window's excess is
-- f(b) - f(a - 1); its largest over the windows holding t is the largest f at or after t less
-- the smallest f before a busy second at or before t (f only falls between busy seconds).
-- Under --brand only the seconds the brand sent are summed: fewer runs are proven.
-- With a period, the windows holding a second of it may reach past its edges (any length): the
-- seconds outside it are summed too (same short code and brand filters), but only the
-- period's seconds are rows.
with codes_over as (
    -- (only the short codes with a second over: the others need no running sums)
    select short_code, any_value(rate) as rate
    from audit_r08_seconds
    where segments > rate
    group by short_code
),

-- counted as r08_seconds.sql counts them, but outside the period (none without one)
outside_lines as (
    select m.short_code, m.brand, epoch_ms(m.submitted_at) // 1000 as epoch_second,
           coalesce(m.segments, 1) as segments
    from fct_mt as m
    where m.outcome in ('accepted', 'refused')
      and m.short_code in (select short_code from codes_over)
      and (($date_from is not null and m.submitted_at < timezone($tz, cast($date_from as timestamp)))
        or ($date_to is not null and m.submitted_at >= timezone($tz, cast($date_to as timestamp) + interval 1 day)))
),

seconds as (
    select short_code, epoch_second, segments, rate
    from audit_r08_seconds
    where short_code in (select short_code from codes_over)
    union all
    select o.short_code, o.epoch_second, cast(sum(o.segments) as bigint), any_value(c.rate)
    from outside_lines as o
    join codes_over as c using (short_code)
    group by o.short_code, o.epoch_second
    having $brand is null or bool_or(o.brand = $brand)
),

running as (
    select
        short_code,
        epoch_second,
        min(cum - segments - rate * (epoch_second - 1)) over (
            partition by short_code order by epoch_second rows between unbounded preceding and current row
        ) as lowest_before,
        max(cum - rate * epoch_second) over (
            partition by short_code order by epoch_second rows between current row and unbounded following
        ) as highest_after
    from (
        select *, sum(segments) over (partition by short_code order by epoch_second
                                      rows between unbounded preceding and current row) as cum
        from seconds
    )
),

over as materialized (
    select s.short_code, s.epoch_second, s.segments, s.segments_max, s.rate, s.lines,
           r.highest_after - r.lowest_before > s.rate * $ack_delay_seconds as beyond_ack_delay
    from audit_r08_seconds as s
    join running as r using (short_code, epoch_second)
    where s.segments > s.rate
),

over_lines as (
    select o.short_code, o.epoch_second, list(m.mt_id order by m.mt_id) as mt_ids
    from over as o
    join fct_mt as m
      on m.short_code = o.short_code
     and epoch_ms(m.submitted_at) // 1000 = o.epoch_second
    where m.outcome in ('accepted', 'refused')
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
    o.beyond_ack_delay,
    l.mt_ids
from over as o
join over_lines as l using (short_code, epoch_second)
order by o.short_code, o.epoch_second
