-- R6 RANGE: traffic whose category does not fit its short code's range. Logical messages
-- accepted by the platform; one reason each, by precedence:
--   unknown_short_code       the short code is not in the contract (or none could be told);
--   marketing_outside_35_36  marketing on 34, 37 or 38;
--   no_geo_presence          marketing on 35ABC without the Géo Présence option;
--   not_m2m_number           38ABC traffic to a number that is not an M2M SIM (ref_numbering
--                            kind 'm2m', longest prefix wins).
with messages as (
    select
        l.logical_id,
        l.mt_ids,
        l.msisdn,
        l.short_code,
        l.brand,
        l.service,
        l.category,
        l.submitted_at,
        r.code is not null as known,
        left(r.code, 2) as code_range,
        coalesce(r.geo_presence, false) as geo_presence
    from fct_logical_messages as l
    left join ref_short_codes as r on r.code = l.short_code
    where l.accepted
      and ($short_code is null or l.short_code = $short_code)
      and ($brand is null or l.brand = $brand)
      and ($date_from is null or l.submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or l.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

numbers_38 as (
    select distinct msisdn, ltrim(msisdn, '+') as digits
    from messages
    where code_range = '38'
),

prefix_lengths as (
    select distinct length(prefix) as len
    from ref_numbering
),

number_kind as (
    select n.msisdn, arg_max(r.kind, length(r.prefix)) as kind
    from numbers_38 as n
    cross join prefix_lengths as p
    join ref_numbering as r on r.prefix = left(n.digits, p.len)
    group by n.msisdn
),

classified as (
    select
        m.*,
        k.kind as number_kind,
        case
            when not m.known then 'unknown_short_code'
            when m.category = 'marketing' and m.code_range not in ('35', '36') then 'marketing_outside_35_36'
            when m.category = 'marketing' and m.code_range = '35' and not m.geo_presence then 'no_geo_presence'
            when m.code_range = '38' and coalesce(k.kind, '') <> 'm2m' then 'not_m2m_number'
        end as reason
    from messages as m
    left join number_kind as k on k.msisdn = m.msisdn and m.code_range = '38'
)

select
    logical_id as message_id,
    msisdn,
    short_code,
    brand,
    service,
    category,
    submitted_at,
    reason,
    number_kind,
    mt_ids
from classified
where reason is not null
order by submitted_at, message_id
