-- R10 DEST: the recipient of every logical message accepted by the platform must be a valid
-- metropolitan French mobile number. The number's kind is the facts' (fct_mt.number_kind /
-- number_territory, docs/schema.md int_msisdn: the longest ref_numbering prefix, `malformed`
-- when the length does not fit the plan), looked up once there; the audit does not look it up
-- again, so a row and its lines agree. Reasons:
--   malformed   not E.164 after normalisation (`malformed`, `alphanumeric`, `short_code`), no
--               numbering plan (`unknown`), an unassigned range (`invalid`), or the wrong
--               number of digits for its range (`malformed`);
--   overseas    a French overseas number (+590 690, +262 692, ..., or the same written in
--               national form 0690 ..., which the facts already mapped to its country code);
--   foreign     any other country;
--   not_mobile  a French number that is not a mobile (fixed, VoIP, special), or an M2M SIM
--               (+33 700) receiving anything but m2m traffic on a 38ABC code (RULES.md: "valid
--               only for m2m traffic, 38ABC"; m2m traffic to it on a 36ABC code is a breach).
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
      and msisdn is not null   -- not logged (no %P): not judged, counted by numbers_not_logged
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

-- only a number that is not a metropolitan mobile can be a breach; a message's lines share
-- its number, and its first line's id is its logical_id
numbers as (
    select mt_id as logical_id, number_kind, number_territory
    from fct_mt
    where number_kind <> 'metro_mobile'
),

judged as (
    select
        m.*,
        n.number_kind,
        n.number_territory,
        case
            when n.number_kind = 'm2m' then
                case when m.category = 'm2m' and starts_with(m.short_code, '38') then null else 'not_mobile' end
            when starts_with(n.number_kind, 'overseas') then 'overseas'
            when n.number_kind = 'foreign' then 'foreign'
            when n.number_kind in ('malformed', 'alphanumeric', 'short_code', 'unknown', 'invalid') then 'malformed'
            else 'not_mobile'   -- metro_fixed, metro_voip, special
        end as reason
    from messages as m
    join numbers as n using (logical_id)
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
    number_territory as territory,
    mt_ids
from judged
where reason is not null
order by submitted_at, message_id
