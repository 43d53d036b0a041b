-- R7 OADC: the originator shown to the recipient must be the short code itself, or, where
-- the OAdC option is subscribed for that short code, one of its declared sender names
-- (exact match, surrounding spaces ignored). Logical messages accepted by the platform.
with messages as (
    select
        l.logical_id,
        l.mt_ids,
        l.msisdn,
        l.short_code,
        l.brand,
        l.service,
        l.oadc,
        l.submitted_at,
        coalesce(r.oadc, []) as declared_oadc
    from fct_logical_messages as l
    left join ref_short_codes as r on r.code = l.short_code
    where l.accepted
      and ($short_code is null or l.short_code = $short_code)
      and ($brand is null or l.brand = $brand)
      and ($date_from is null or l.submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or l.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)

select
    logical_id as message_id,
    msisdn,
    short_code,
    brand,
    service,
    oadc,
    declared_oadc,
    submitted_at,
    case when len(declared_oadc) = 0 then 'not_short_code' else 'not_declared' end as reason,
    mt_ids
from messages
where short_code is null
   or (trim(coalesce(oadc, '')) <> short_code
       and not list_contains(declared_oadc, trim(coalesce(oadc, ''))))
order by submitted_at, message_id
