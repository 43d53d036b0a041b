-- R4 STOP-HONOUR: after an opt-out MO (fct_mo.keyword = 'STOP', matched leniently when the
-- facts were built), no marketing MT of the brands concerned may reach that number on any of
-- their short codes until a START. An opt-out sent to a short code concerns every brand
-- sending marketing through it (fct_opt_events: one row per opt event and brand concerned).
-- A START to a code re-opts in the same brands.
-- Allowed: the first marketing MT of the brand to the number after a STOP, when it is
-- within $stop_grace_minutes (the acknowledgement; transactional MTs are never R4 breaches
-- and do not use up that allowance). Every other marketing MT accepted by the platform
-- while the latest opt event before it is a STOP is a breach. Events at the same second as
-- the STOP are not "after" it (the log's resolution is one second).
-- Every accepted attempt counts (fct_accepted_attempts): a message accepted before the STOP,
-- undelivered, and resent after it reaches the number after the STOP. The acknowledgement
-- is a message: its attempts within the grace period are allowed. A message is one breach,
-- that of its first attempt in breach.
with opt as (
    select * from fct_opt_events
),

brand_mt as (
    select
        l.logical_id,
        l.mt_ids,
        l.msisdn,
        l.brand,
        l.short_code,
        l.smsc,
        l.oadc,
        l.service,
        l.submitted_at,
        l.attempt_mt_id
    from fct_accepted_attempts as l
    semi join (select distinct msisdn, brand from opt) as p
      on p.msisdn = l.msisdn and p.brand = l.brand
    where l.category = 'marketing'
),

in_force as (
    select
        m.*,
        o.opt_at,
        o.keyword,
        o.mo_id,
        o.mo_short_code
    from brand_mt as m
    asof join opt as o
      on o.msisdn = m.msisdn
     and o.brand = m.brand
     and m.submitted_at > o.opt_at
),

after_stop as (
    -- messages after the STOP ranked by their first attempt after it
    select
        *,
        dense_rank() over (
            partition by msisdn, brand, opt_at order by message_after_stop_at, logical_id
        ) as nth_after_stop
    from (
        select *, min(submitted_at) over (partition by msisdn, brand, opt_at, logical_id) as message_after_stop_at
        from in_force
        where keyword = 'STOP'
    )
),

breaches as materialized (
    select *
    from after_stop
    where not (nth_after_stop = 1 and submitted_at <= opt_at + to_minutes(cast($stop_grace_minutes as integer)))
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
    qualify row_number() over (partition by logical_id order by submitted_at) = 1
)

select
    logical_id as message_id,
    msisdn,
    brand,
    short_code,
    service,
    opt_at as stop_at,
    mo_short_code as stop_short_code,
    mo_id as stop_mo_id,
    submitted_at as sent_at,
    epoch(submitted_at) - epoch(opt_at) as seconds_after_stop,
    mt_ids,
    attempt_mt_id as breach_mt_id
from breaches
order by submitted_at, message_id
