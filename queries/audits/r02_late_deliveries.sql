-- R2, informative: logical marketing messages submitted inside the window on a jour
-- ouvrable but delivered (final DLR `delivered`) outside it, e.g. buffered overnight by the
-- SMSC. Not breaches of the aggregator; listed with the delay. The validity period that
-- allowed the delay is not in Kannel's access log, so it is not shown. Submitted inside: its
-- first and its last accepted line (a message whose part 2 left at 22:00:00 is an R2 breach,
-- not a late delivery).
-- Cost: a cheap, exact pre-selection in integer UTC seconds keeps only the deliveries that
-- could be outside the window or on a rest day; only those are converted to local time.
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

delivered as (
    select
        logical_id,
        submitted_at,
        last_accepted_at,
        final_at,
        epoch_ms(final_at) // 1000 as f
    from fct_logical_messages
    where accepted
      and category = 'marketing'
      and final_status = 'delivered'
      and final_at is not null
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

candidates as (
    -- a delivery surely inside the hours (for every offset of the zone, hence on its UTC
    -- day) on a day that is neither a Sunday nor a holiday is not late
    select
        d.logical_id,
        timezone($tz, d.submitted_at) as local_at,
        timezone($tz, d.last_accepted_at) as local_last_at,
        timezone($tz, d.final_at) as local_delivered_at
    from delivered as d, offsets as o, window_seconds as w
    where not (d.f % 86400 + o.min_off >= w.ws and d.f % 86400 + o.max_off < w.we)
       or (d.f // 86400 + 4) % 7 = 0
       or d.f // 86400 in (select day_number from rest_days)
),

holidays as (
    select distinct day from ref_holidays
),

classified as (
    select
        c.*,
        r02_outside_reason(c.local_at, hs.day is not null, $window_start, $window_end) as submitted_reason,
        r02_outside_reason(c.local_last_at, hl.day is not null, $window_start, $window_end) as last_sent_reason,
        r02_outside_reason(c.local_delivered_at, hd.day is not null, $window_start, $window_end) as delivered_reason
    from candidates as c
    left join holidays as hs on hs.day = cast(c.local_at as date)
    left join holidays as hl on hl.day = cast(c.local_last_at as date)
    left join holidays as hd on hd.day = cast(c.local_delivered_at as date)
),

late as materialized (
    select logical_id, delivered_reason
    from classified
    where submitted_reason is null
      and last_sent_reason is null
      and delivered_reason is not null
)

select
    l.logical_id as message_id,
    l.msisdn,
    l.short_code,
    l.brand,
    l.submitted_at,
    l.final_at as delivered_at,
    epoch(l.final_at) - epoch(l.submitted_at) as delay_seconds,
    x.delivered_reason as reason,
    l.mt_ids
from fct_logical_messages as l
join late as x using (logical_id)
order by l.submitted_at, message_id
