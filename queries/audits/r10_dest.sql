-- R10 DEST: the recipient of every logical message accepted by the platform must be a valid
-- metropolitan French mobile number. Each distinct number is classified once against
-- ref_numbering (longest prefix wins: one equi-join per prefix length, no per-row Python),
-- then joined back to its messages. Reasons:
--   malformed   not E.164 after normalisation, no numbering plan, an invalid range, or the
--               wrong number of digits for its range;
--   overseas    a French overseas number (+590 690, +262 692, ..., or the same written in
--               national form 0690 ..., which the facts already mapped to its country code);
--   foreign     any other country;
--   not_mobile  a French number that is not a mobile (fixed, VoIP, special), or an M2M SIM
--               (+33 700) receiving anything but m2m traffic.
with messages as (
    select
        logical_id,
        mt_ids,
        msisdn,
        short_code,
        brand,
        service,
        category,
        submitted_at
    from fct_logical_messages
    where accepted
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

numbers as (
    select
        msisdn,
        coalesce(regexp_full_match(msisdn, '\+[0-9]{7,15}'), false) as e164,
        ltrim(msisdn, '+') as digits
    from messages
    group by msisdn
),

prefix_lengths as (
    select distinct length(prefix) as len
    from ref_numbering
),

longest as (
    select
        n.msisdn,
        arg_max(r.kind, length(r.prefix)) as kind,
        arg_max(r.territory, length(r.prefix)) as territory,
        arg_max(r.digits, length(r.prefix)) as expected_digits
    from numbers as n
    cross join prefix_lengths as p
    join ref_numbering as r on r.prefix = left(n.digits, p.len)
    where n.e164
    group by n.msisdn
),

classified_numbers as (
    select
        n.msisdn,
        l.kind,
        l.territory,
        case
            when not n.e164 or l.kind is null or l.kind = 'invalid' then 'malformed'
            when l.expected_digits is not null and length(n.digits) <> l.expected_digits then 'malformed'
            when l.kind = 'metro_mobile' then null
            when l.kind = 'm2m' then 'm2m'
            when starts_with(l.kind, 'overseas') then 'overseas'
            when l.kind = 'foreign' then 'foreign'
            else 'not_mobile'
        end as number_reason
    from numbers as n
    left join longest as l using (msisdn)
)

select
    m.logical_id as message_id,
    m.msisdn,
    m.short_code,
    m.brand,
    m.service,
    m.category,
    m.submitted_at,
    case when c.number_reason = 'm2m' then 'not_mobile' else c.number_reason end as reason,
    c.kind as number_kind,
    c.territory,
    m.mt_ids
from messages as m
join classified_numbers as c using (msisdn)
where c.number_reason is not null
  and not (c.number_reason = 'm2m' and m.category = 'm2m')
order by m.submitted_at, message_id
