-- R4 STOP-HONOUR: after an opt-out MO (fct_mo.keyword = 'STOP', matched leniently when the
-- facts were built), no marketing MT of the brands concerned may reach that number on any of
-- their short codes until a START. An opt-out sent to a short code concerns every brand
-- sending marketing through it (fct_opt_events: one row per opt event and brand concerned).
-- A START to a code re-opts in the same brands.
-- Allowed: the acknowledgement, when it is marketing and within $stop_grace_minutes. The
-- acknowledgement is that of the STOP that opened the opt-out (the first STOP since the last
-- START): a STOP repeated by a number already opted out grants none, or a promotion sent just
-- after an opt-out the gateway did not answer (real Kannel 1.4.5: `ARRÊT` in UCS-2, which its
-- `arrêt` alias does not match) would pass as one. The acknowledgement of a STOP is the first
-- MT sent to the number on the short code the STOP was sent to, after it, by a brand the STOP
-- concerns, whatever its service or category: when the brand's transactional `stop` service
-- answered first, a promotion a minute later is no acknowledgement but a breach; another
-- brand's message (a bank's one-time code on the same short code) acknowledges nothing. Transactional MTs are never R4 breaches. Every other marketing MT accepted by the
-- platform while the latest opt event before it is a STOP is a breach.
-- "After": a later second, or the same second on a later line of the same load
-- (logged_after.sql); two loads cannot order the events of one second.
-- Every accepted line of a message counts (fct_accepted_sends): a message accepted before the
-- STOP, undelivered, and resent after it, or whose refused part was resent after it, or whose
-- middle part left between a STOP and a START, reaches the number after the STOP. The acknowledgement is a message
-- (the first after the STOP by its first line): its lines within the grace period are
-- allowed. A message is one breach, that of its first line in breach, and belongs to the one
-- period holding that line (a promotion at 23:30 resent at 00:20 is September's only): the
-- period filters first lines in breach, not the lines before them.
-- A row names the STOP that opened the opt-out in force (stop_at, stop_short_code,
-- stop_mo_id, seconds_after_stop), as r04_stop_stats measures from it. A breach within the
-- grace period names the acknowledgement that used the grace up (acknowledgement_mt_id: its
-- first line after the STOP); by its own lines (STOP 14:00, MT 14:06) it looks allowed.
with opt_runs as (
    -- opt events numbered by the STARTs up to them: a run is one opt-in, then the opt-outs after it
    select *,
           -- (count_if, not FILTER: a running window with FILTER is quadratic in DuckDB)
           count_if(keyword = 'START') over (
               partition by msisdn, brand order by opt_at, mo_id
               rows between unbounded preceding and current row) as run
    from fct_opt_events
),

opt as (
    -- each opt event with the STOP that opened its run's opt-out (NULL before the first STOP)
    select *,
           first_value(case when keyword = 'STOP' then {'at': opt_at, 'mo_id': mo_id, 'short_code': mo_short_code} end
                       ignore nulls) over (
               partition by msisdn, brand, run order by opt_at, mo_id
               rows between unbounded preceding and current row) as opened
    from opt_runs
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
        l.sent_at as submitted_at,
        l.send_mt_id as attempt_mt_id
    from fct_accepted_sends as l
    semi join (select distinct msisdn, brand from opt) as p
      on p.msisdn = l.msisdn and p.brand = l.brand
    where l.category = 'marketing'
),

in_force as (
    -- the latest opt event of the number and brand before each attempt
    select
        m.*,
        o.opt_at,
        o.keyword,
        o.mo_id,
        o.mo_short_code,
        o.opened
    from brand_mt as m
    join opt as o
      on o.msisdn = m.msisdn
     and o.brand = m.brand
     and logged_after(m.submitted_at, m.attempt_mt_id, o.opt_at, o.mo_id)   -- logged_after.sql
    qualify row_number() over (
        partition by m.logical_id, m.attempt_mt_id order by o.opt_at desc, o.mo_id desc
    ) = 1
),

stops as (
    -- each STOP with each brand it concerns
    select distinct msisdn, opt_at, mo_id, mo_short_code, brand
    from opt
    where keyword = 'STOP'
),

acknowledgements as (
    -- the first MT after each STOP to its number on its short code, of a brand it concerns,
    -- any service or category
    select s.mo_id, s.mo_short_code, a.logical_id as ack_logical_id, a.attempt_mt_id as ack_mt_id
    from stops as s
    join fct_accepted_attempts as a
      on a.msisdn = s.msisdn
     and a.short_code = s.mo_short_code
     and a.brand = s.brand
     and logged_after(a.submitted_at, a.attempt_mt_id, s.opt_at, s.mo_id)
    qualify row_number() over (
        partition by s.mo_id, s.mo_short_code order by a.submitted_at, a.attempt_mt_id
    ) = 1
),

first_breaches as (
    select f.*,
           f.submitted_at <= f.opened.at + to_minutes(cast($stop_grace_minutes as integer)) as within_grace,
           k.ack_mt_id
    from in_force as f
    left join acknowledgements as k
      on k.mo_id = f.opened.mo_id and k.mo_short_code = f.opened.short_code
    where f.keyword = 'STOP'
      and not (f.logical_id is not distinct from k.ack_logical_id and within_grace)
      and ($short_code is null or f.short_code = $short_code)
      and ($brand is null or f.brand = $brand)
    qualify row_number() over (partition by f.logical_id order by f.submitted_at, f.attempt_mt_id) = 1
),

breaches as materialized (
    select *
    from first_breaches
    where ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)

select
    logical_id as message_id,
    msisdn,
    brand,
    short_code,
    service,
    -- the STOP that opened the opt-out in force (the first since the last START), not the
    -- latest: a STOP repeated by a number already opted out neither restarts the clock nor
    -- moves the opt-out to its short code
    opened.at as stop_at,
    opened.short_code as stop_short_code,
    opened.mo_id as stop_mo_id,
    submitted_at as sent_at,
    epoch(submitted_at) - epoch(opened.at) as seconds_after_stop,
    mt_ids,
    attempt_mt_id as breach_mt_id,
    -- null beyond the grace period, or when no MT acknowledged the STOP
    case when within_grace then ack_mt_id end as acknowledgement_mt_id
from breaches
order by submitted_at, message_id
