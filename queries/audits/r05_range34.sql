-- R5 RANGE-34: an MT on a 34ABC short code opens no session by itself: it needs an MO
-- accepted from the same number to that short code within $session_hours before it. An MO
-- at the same second counts unless the log puts it after the MT (logged_after.sql, as R4
-- reads "after"); one of another load at that second counts. Every logical message accepted by the platform, any category,
-- at each accepted line it was sent on (fct_accepted_sends:
-- a resend, or a part resent, may leave after the session closed); a message is one breach,
-- that of its first line in breach, and belongs to the one period holding that line: a
-- period run judges every line (an answer at 21:00 out of session, resent at 00:30, is
-- September's only) and keeps the breaches dated in it.
with mt34 as (
    select
        logical_id,
        msisdn,
        short_code,
        smsc,
        oadc,
        sent_at as submitted_at,
        send_mt_id as attempt_mt_id
    from fct_accepted_sends
    where starts_with(short_code, '34')
      and msisdn is not null   -- not logged (no %P): no session can be told, counted by numbers_not_logged
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
),

mo as (
    select mo_id, msisdn, short_code, received_at
    from fct_mo
    where outcome = 'accepted'
      and starts_with(short_code, '34')
),

-- one row per number, short code and second, the later line of that second (as same_second
-- takes it): the ASOF join below picks among rows of one second as it likes
mo_seconds as (
    select msisdn, short_code, received_at, max(mo_id) as mo_id
    from mo
    group by msisdn, short_code, received_at
),

last_mo as (
    select
        m.logical_id,
        m.short_code,
        m.smsc,
        m.oadc,
        m.submitted_at,
        m.attempt_mt_id,
        s.mo_id as last_mo_id,
        s.received_at as last_mo_at
    from mt34 as m
    asof left join mo_seconds as s
      on s.msisdn = m.msisdn
     and s.short_code = m.short_code
     and m.submitted_at > s.received_at
),

-- an MO at the MT's own second that the log does not put after it
same_second as (
    select m.logical_id, m.attempt_mt_id, max(s.mo_id) as mo_id, any_value(s.received_at) as received_at
    from mt34 as m
    join mo as s
      on s.msisdn = m.msisdn
     and s.short_code = m.short_code
     and s.received_at = m.submitted_at
     and not logged_after(s.received_at, s.mo_id, m.submitted_at, m.attempt_mt_id)
    group by m.logical_id, m.attempt_mt_id
),

session_mo as (
    select
        l.logical_id, l.short_code, l.smsc, l.oadc, l.submitted_at, l.attempt_mt_id,
        coalesce(q.mo_id, l.last_mo_id) as last_mo_id,
        coalesce(q.received_at, l.last_mo_at) as last_mo_at
    from last_mo as l
    left join same_second as q using (logical_id, attempt_mt_id)
),

first_breaches as (
    select logical_id, short_code, smsc, oadc, submitted_at, attempt_mt_id, last_mo_id, last_mo_at
    from session_mo
    where last_mo_at is null
       or last_mo_at < submitted_at - to_hours(cast($session_hours as integer))
    qualify row_number() over (partition by logical_id order by submitted_at, attempt_mt_id) = 1
),

breaches as materialized (
    select *
    from first_breaches
    where ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)

select
    l.logical_id as message_id,
    l.msisdn,
    b.short_code,
    l.brand,
    l.service,
    b.submitted_at,
    b.last_mo_at,
    b.last_mo_id,
    case when b.last_mo_at is null then 'no_mo' else 'session_expired' end as reason,
    l.mt_ids,
    b.attempt_mt_id as breach_mt_id
from fct_logical_messages as l
join breaches as b using (logical_id)
order by b.submitted_at, message_id
