-- R2, informative: logical marketing messages submitted inside the window on a jour
-- ouvrable but delivered (final DLR `delivered`) outside it, e.g. buffered overnight by the
-- SMSC. Not breaches of the aggregator; listed with the delay. The validity period that
-- allowed the delay is not in Kannel's access log, so it is not shown.
with marketing as (
    select
        logical_id,
        mt_ids,
        msisdn,
        short_code,
        brand,
        submitted_at,
        final_at,
        timezone($tz, submitted_at) as local_at,
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

holidays as (
    select distinct day from ref_holidays
),

classified as (
    select
        m.*,
        case
            when dayofweek(cast(m.local_at as date)) = 0 then 'sunday'
            when hs.day is not null then 'holiday'
            when cast(m.local_at as time) < $window_start
              or cast(m.local_at as time) >= $window_end then 'hour'
        end as submitted_reason,
        case
            when dayofweek(cast(m.local_delivered_at as date)) = 0 then 'sunday'
            when hd.day is not null then 'holiday'
            when cast(m.local_delivered_at as time) < $window_start
              or cast(m.local_delivered_at as time) >= $window_end then 'hour'
        end as delivered_reason
    from marketing as m
    left join holidays as hs on hs.day = cast(m.local_at as date)
    left join holidays as hd on hd.day = cast(m.local_delivered_at as date)
)

select
    logical_id as message_id,
    msisdn,
    short_code,
    brand,
    submitted_at,
    final_at as delivered_at,
    epoch(final_at) - epoch(submitted_at) as delay_seconds,
    delivered_reason as reason,
    mt_ids
from classified
where submitted_reason is null
  and delivered_reason is not null
order by submitted_at, message_id
