-- R7 OADC: the originator shown to the recipient must be the short code itself, or, where
-- the OAdC option is subscribed for that short code, one of its declared sender names
-- (exact match, surrounding spaces ignored). Logical messages accepted by the platform.
with messages as (
    select
        logical_id,
        short_code,
        trim(coalesce(oadc, '')) as oadc
    from fct_logical_messages
    where accepted
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

breaches as materialized (
    select m.logical_id, coalesce(r.oadc, []) as declared_oadc
    from messages as m
    left join ref_short_codes as r on r.code = m.short_code
    where m.short_code is null
       or (m.oadc <> m.short_code and not list_contains(coalesce(r.oadc, []), m.oadc))
)

select
    l.logical_id as message_id,
    l.msisdn,
    l.short_code,
    l.brand,
    l.service,
    l.oadc,
    b.declared_oadc,
    l.submitted_at,
    case when len(b.declared_oadc) = 0 then 'not_short_code' else 'not_declared' end as reason,
    l.mt_ids
from fct_logical_messages as l
join breaches as b using (logical_id)
order by l.submitted_at, message_id
