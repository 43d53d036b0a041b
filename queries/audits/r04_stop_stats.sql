-- R4 statistics per brand: opt-outs received (STOP MO concerning the brand: fct_opt_events,
-- as r04_stop_honour), numbers opted out, re-opt-ins, and the time from the STOP that opened
-- an opt-out to the last MT the brand still sent that number before it opted in again
-- (START): a STOP repeated by a number already opted out restarts no clock (as
-- r04_stop_honour's stop_at). Per STOP, whether the brand sent any MT after it before the
-- next START; the times, one per opt-out, from its opening STOP (the first since the last
-- START); 0 MT after it = honoured at once.
-- The period and short-code filters select the STOPs (local date received, code sent to);
-- the MTs after them are followed whatever their date (a STOP at 23:59 answered by a
-- promotion after midnight was not honoured): the rows of r04_stop_honour are the messages
-- whose first line in breach was sent in the period, whenever their STOP came.
with opt as (
    -- opt events numbered by the STARTs up to them (a run: one opt-in, then the opt-outs after
    -- it), each STOP marked when it opened its run's opt-out (as r04_stop_honour)
    -- (count_if / first_value, not FILTER: a running window with FILTER is quadratic in DuckDB)
    select *,
           keyword = 'STOP' and mo_id = first_value(case when keyword = 'STOP' then mo_id end ignore nulls) over (
               partition by msisdn, brand, run order by opt_at, mo_id
               rows between unbounded preceding and current row) as opens
    from (
        select *,
               count_if(keyword = 'START') over (
                   partition by msisdn, brand order by opt_at, mo_id
                   rows between unbounded preceding and current row) as run
        from fct_opt_events
    )
),

-- (every accepted line of a message, as r04_stop_honour: a resend after the STOP is sent
-- after it)
brand_mt as (
    select l.logical_id, l.send_mt_id as attempt_mt_id, l.msisdn, l.brand, l.category, l.sent_at as submitted_at
    from fct_accepted_sends as l
    semi join (select distinct msisdn, brand from opt where keyword = 'STOP') as p
      on p.msisdn = l.msisdn and p.brand = l.brand
),

in_force as (
    -- the latest opt event before each attempt, "before" as r04_stop_honour reads it
    -- (logged_after.sql)
    select m.*, o.opt_at, o.keyword, o.run
    from brand_mt as m
    join opt as o
      on o.msisdn = m.msisdn
     and o.brand = m.brand
     and logged_after(m.submitted_at, m.attempt_mt_id, o.opt_at, o.mo_id)
    qualify row_number() over (
        partition by m.logical_id, m.attempt_mt_id order by o.opt_at desc, o.mo_id desc
    ) = 1
),

per_stop as (
    -- each STOP with the brand's MTs to the number after it while opted out (the latest opt
    -- event before them a STOP of the same run: before the next START)
    select
        o.msisdn,
        o.brand,
        o.opt_at,
        o.mo_id,
        o.opens,
        count(distinct f.logical_id) as mt_after,
        count(distinct f.logical_id) filter (where f.category = 'marketing') as marketing_after,
        max(f.submitted_at) as last_mt_at
    from opt as o
    left join in_force as f
      on f.msisdn = o.msisdn and f.brand = o.brand and f.run = o.run and f.keyword = 'STOP'
     and logged_after(f.submitted_at, f.attempt_mt_id, o.opt_at, o.mo_id)
    where o.keyword = 'STOP'
      and ($short_code is null or o.mo_short_code = $short_code)
      and ($brand is null or o.brand = $brand)
      and ($date_from is null or o.opt_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or o.opt_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
    group by o.msisdn, o.brand, o.opt_at, o.mo_id, o.opens
),

starts as (
    select brand, count(*) as starts
    from opt
    where keyword = 'START'
      and ($short_code is null or mo_short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or opt_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or opt_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
    group by brand
)

select
    p.brand,
    count(*) as stops,
    count(distinct p.msisdn) as numbers_opted_out,
    coalesce(any_value(s.starts), 0) as starts,
    count(*) filter (where p.mt_after > 0) as stops_followed_by_mt,
    count(*) filter (where p.marketing_after > 0) as stops_followed_by_marketing,
    -- one measure per opt-out, from the STOP that opened it (a repeated STOP's own, shorter,
    -- time would halve the median)
    median(epoch(p.last_mt_at) - epoch(p.opt_at)) filter (where p.opens) as median_seconds_to_last_mt,
    max(epoch(p.last_mt_at) - epoch(p.opt_at)) filter (where p.opens) as max_seconds_to_last_mt
from per_stop as p
left join starts as s on s.brand = p.brand
group by p.brand
order by p.brand
