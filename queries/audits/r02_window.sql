-- R2 WINDOW: logical marketing messages accepted by the platform and submitted outside
-- [$window_start, $window_end) local time, or on a day that is not a jour ouvrable (Sunday,
-- or a public holiday of ref_holidays; Saturday is a jour ouvrable). Every accepted attempt
-- is judged at every accepted line it was sent on (fct_accepted_sends: a resend after a
-- failed delivery is sent again; part 2 of a message sent at 22:00:00 after part 1 at
-- 21:59:59 is submitted outside the window); a message is one breach, dated by its first
-- line outside the window, and belongs to the one period holding that line: a period run
-- judges every line (the first line in breach may lie before the period: 23:30 resent at
-- 00:20 is September's, not October's too) and keeps the breaches dated in it. The
-- pre-selection below makes that a full run's cost, less than reading the lines of the
-- messages with a line in the period (measured on the 5 M-segment benchmark).
-- One reason per message, by precedence sunday > holiday > hour: Sunday is the weekly rest
-- day whatever else it is, so a message on a holiday that falls on a Sunday reads `sunday`
-- (its `holiday` column still names the holiday); 23:00 on a holiday reads `holiday`.
-- Cost: a cheap, exact pre-selection in integer UTC seconds keeps only the messages that
-- could be outside the window or on a rest day (the time zone's offsets bound the local
-- time); only those are converted to local time and classified; details are fetched for
-- the breaches only.
with offsets as (
    select min_off, max_off from r02_tz_offsets($tz)   -- r02_tz_offsets.sql
),

window_seconds as (
    select epoch($window_start) as ws, epoch($window_end) as we
),

rest_days as (
    select distinct cast(day - date '1970-01-01' as bigint) as day_number
    from ref_holidays
),

marketing as (
    select
        logical_id,
        short_code,
        smsc,
        oadc,
        sent_at as submitted_at,
        send_mt_id as attempt_mt_id,
        epoch_ms(sent_at) // 1000 as s
    from fct_accepted_sends
    where category = 'marketing'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
),

candidates as (
    -- surely inside: for every offset the local time is in the window, hence on the UTC
    -- day; such a message is legal unless that day is a Sunday or a holiday
    select m.logical_id, m.short_code, m.smsc, m.oadc, m.submitted_at, m.attempt_mt_id,
           timezone($tz, m.submitted_at) as local_at
    from marketing as m, offsets as o, window_seconds as w
    where not (m.s % 86400 + o.min_off >= w.ws and m.s % 86400 + o.max_off < w.we)
       or (m.s // 86400 + 4) % 7 = 0
       or m.s // 86400 in (select day_number from rest_days)
),

holidays as (
    select day, min(name) as holiday
    from ref_holidays
    group by day
),

classified as (
    select
        c.logical_id,
        c.short_code,
        c.smsc,
        c.oadc,
        c.submitted_at,
        c.attempt_mt_id,
        c.local_at,
        h.holiday,
        r02_outside_reason(c.local_at, h.day is not null, $window_start, $window_end) as reason   -- r02_outside_reason.sql
    from candidates as c
    left join holidays as h on h.day = cast(c.local_at as date)
),

first_breaches as (
    select logical_id, short_code, smsc, oadc, submitted_at, attempt_mt_id, local_at, holiday, reason
    from classified
    where reason is not null
    qualify row_number() over (partition by logical_id order by submitted_at, attempt_mt_id) = 1
),

breaches as materialized (
    -- the period filters the message's first line in breach, not its lines before it is found
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
    strftime(b.local_at, '%Y-%m-%d %H:%M:%S') as local_time,
    b.reason,
    b.holiday,
    l.mt_ids,
    b.attempt_mt_id as breach_mt_id
from fct_logical_messages as l
join breaches as b using (logical_id)
order by b.submitted_at, message_id
