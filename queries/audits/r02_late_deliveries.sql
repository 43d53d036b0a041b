-- R2, informative: logical marketing messages submitted inside the window on a jour
-- ouvrable but delivered (final DLR `delivered`) outside it, e.g. buffered overnight by the
-- SMSC. Not breaches of the aggregator; listed with the delay. The validity period that
-- allowed the delay is not in Kannel's access log, so it is not shown.
-- Cheap pre-selection: a delivery inside the hours that came less than 23 h (a day, minus
-- the hour a spring DST night loses) minus the window's length after a submission inside
-- the window is on the same day, hence legal; only the other deliveries are classified.
with delivered as (
    select
        logical_id,
        submitted_at,
        final_at,
        timezone($tz, final_at) as local_delivered_at
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
    select *, timezone($tz, submitted_at) as local_at
    from delivered
    where cast(local_delivered_at as time) < $window_start
       or cast(local_delivered_at as time) >= $window_end
       or final_at - submitted_at >= interval 23 hour
            - ((date '2000-01-01' + $window_end) - (date '2000-01-01' + $window_start))
),

holidays as (
    select distinct day from ref_holidays
),

classified as (
    select
        c.*,
        case
            when dayofweek(cast(c.local_at as date)) = 0 then 'sunday'
            when hs.day is not null then 'holiday'
            when cast(c.local_at as time) < $window_start
              or cast(c.local_at as time) >= $window_end then 'hour'
        end as submitted_reason,
        case
            when dayofweek(cast(c.local_delivered_at as date)) = 0 then 'sunday'
            when hd.day is not null then 'holiday'
            when cast(c.local_delivered_at as time) < $window_start
              or cast(c.local_delivered_at as time) >= $window_end then 'hour'
        end as delivered_reason
    from candidates as c
    left join holidays as hs on hs.day = cast(c.local_at as date)
    left join holidays as hd on hd.day = cast(c.local_delivered_at as date)
),

late as materialized (
    select logical_id, delivered_reason
    from classified
    where submitted_reason is null
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
