-- R4 statistics per brand: opt-outs received (STOP MO concerning the brand: fct_opt_events,
-- as r04_stop_honour), numbers opted out, re-opt-ins, and for each STOP the time to the last
-- MT the brand still sent that number before the next opt event (0 MT = honoured at once).
-- The period and short-code filters select the STOPs (local date received, code sent to).
with opt as (
    select * from fct_opt_events
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
    select m.*, o.opt_at, o.keyword
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
    select
        o.msisdn,
        o.brand,
        o.opt_at,
        count(distinct f.logical_id) as mt_after,
        count(distinct f.logical_id) filter (where f.category = 'marketing') as marketing_after,
        max(f.submitted_at) as last_mt_at
    from opt as o
    left join in_force as f
      on f.msisdn = o.msisdn and f.brand = o.brand and f.opt_at = o.opt_at and f.keyword = 'STOP'
    where o.keyword = 'STOP'
      and ($short_code is null or o.mo_short_code = $short_code)
      and ($brand is null or o.brand = $brand)
      and ($date_from is null or o.opt_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or o.opt_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
    group by o.msisdn, o.brand, o.opt_at
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
    median(epoch(p.last_mt_at) - epoch(p.opt_at)) as median_seconds_to_last_mt,
    max(epoch(p.last_mt_at) - epoch(p.opt_at)) as max_seconds_to_last_mt
from per_stop as p
left join starts as s on s.brand = p.brand
group by p.brand
order by p.brand
