-- R10 DEST: the recipient of every logical message accepted by the platform must be a valid
-- metropolitan French mobile number. Numbers are classified against ref_numbering (longest
-- prefix wins) without a per-number lookup for the common case: the plan is looked up once
-- per distinct 6-digit head, and per number only under the few heads that have longer
-- prefixes below them (e.g. +33 639, +33 690...). No per-row Python. Reasons:
--   malformed   not E.164 after normalisation, no numbering plan, an invalid range, or the
--               wrong number of digits for its range;
--   overseas    a French overseas number (+590 690, +262 692, ..., or the same written in
--               national form 0690 ..., which the facts already mapped to its country code);
--   foreign     any other country;
--   not_mobile  a French number that is not a mobile (fixed, VoIP, special), or an M2M SIM
--               (+33 700) receiving anything but m2m traffic.
-- number_kind and territory are the facts' (fct_mt.number_kind / number_territory of the
-- message's lines, docs/schema.md int_msisdn), so a row and its lines agree: a number of the
-- wrong length reads `malformed` there, not the kind of its prefix (`metro_mobile`); a
-- range the plan does not assign reads `invalid`, one no prefix matches `unknown`.
with messages as not materialized (
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

shaped as not materialized (
    select
        logical_id,
        msisdn,
        category,
        coalesce(regexp_full_match(msisdn, '\+[0-9]{7,15}'), false) as e164,
        substr(msisdn, 2, 6) as head
    from messages
),

heads as (
    select distinct head from shaped where e164
),

prefix_lengths as (
    select distinct length(prefix) as len from ref_numbering
),

head_plan as (
    select
        h.head,
        arg_max(r.kind, length(r.prefix)) as kind,
        arg_max(r.territory, length(r.prefix)) as territory,
        arg_max(r.digits, length(r.prefix)) as expected_digits
    from heads as h
    cross join prefix_lengths as p
    join ref_numbering as r on r.prefix = left(h.head, p.len)
    where p.len <= length(h.head)
    group by h.head
),

deep_heads as (
    select distinct h.head
    from heads as h
    join ref_numbering as r
      on length(r.prefix) > length(h.head) and starts_with(r.prefix, h.head)
),

deep_numbers as (
    select distinct s.msisdn, substr(s.msisdn, 2) as digits
    from shaped as s
    semi join deep_heads as d on d.head = s.head
    where s.e164
),

deep_plan as (
    select
        n.msisdn,
        arg_max(r.kind, length(r.prefix)) as kind,
        arg_max(r.territory, length(r.prefix)) as territory,
        arg_max(r.digits, length(r.prefix)) as expected_digits
    from deep_numbers as n
    cross join prefix_lengths as p
    join ref_numbering as r on r.prefix = left(n.digits, p.len)
    group by n.msisdn
),

classified as (
    select
        s.logical_id,
        s.msisdn,
        s.category,
        coalesce(d.kind, h.kind) as kind,
        coalesce(d.territory, h.territory) as territory,
        case
            when not s.e164 or coalesce(d.kind, h.kind) is null or coalesce(d.kind, h.kind) = 'invalid' then 'malformed'
            when coalesce(d.expected_digits, h.expected_digits) is not null
             and length(s.msisdn) - 1 <> coalesce(d.expected_digits, h.expected_digits) then 'malformed'
            when coalesce(d.kind, h.kind) = 'metro_mobile' then null
            when coalesce(d.kind, h.kind) = 'm2m' then case when s.category = 'm2m' then null else 'not_mobile' end
            when starts_with(coalesce(d.kind, h.kind), 'overseas') then 'overseas'
            when coalesce(d.kind, h.kind) = 'foreign' then 'foreign'
            else 'not_mobile'
        end as reason
    from shaped as s
    left join head_plan as h on h.head = s.head and s.e164
    left join deep_plan as d on d.msisdn = s.msisdn
),

breaches as materialized (
    select logical_id, reason
    from classified
    where reason is not null
),

breach_numbers as (
    -- the message's first line (its logical_id) has the message's number
    select m.mt_id as logical_id, m.number_kind, m.number_territory
    from fct_mt as m
    semi join breaches as b on b.logical_id = m.mt_id
)

select
    m.logical_id as message_id,
    m.msisdn,
    m.short_code,
    m.brand,
    m.service,
    m.category,
    m.submitted_at,
    b.reason,
    n.number_kind,
    n.number_territory as territory,
    m.mt_ids
from messages as m
join breaches as b using (logical_id)
left join breach_numbers as n using (logical_id)
order by m.submitted_at, message_id
