-- R7 OADC: the originator shown to the recipient must be the short code itself, or, where
-- the OAdC option is subscribed for that short code, one of its declared sender names
-- (a name's surrounding spaces ignored: the recipient sees the name either way; compared in
-- one Unicode form, NFC, as config.py stores the declared names). The short
-- code must be exactly that: Kannel sends `from` as written, and ` 36180` or `36180 ` reaches
-- the SMSC verbatim as an alphanumeric sender (TON 5, real Kannel 1.4.5), to which no one can
-- reply STOP. `+36180` is the short code too: the '+' is how
-- Kannel writes an address of type international, not a character of it (real Kannel 1.4.5
-- sends from=+36180 as source_addr 36180, TON 1, as it sends 36180 when the link sets
-- source-addr-ton = 1); `+3336180`, the short code behind a country code, is not. Logical
-- messages accepted by the platform, each
-- accepted attempt with its own OAdC and short code (fct_accepted_attempts); a message is one
-- breach, that of its first attempt in breach.
with messages as (
    select
        logical_id,
        short_code,
        smsc,
        submitted_at,
        attempt_mt_id,
        oadc as oadc_logged,
        coalesce(oadc, '') as oadc
    from fct_accepted_attempts
    where ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

breaches as materialized (
    select m.logical_id, m.short_code, m.smsc, m.submitted_at, m.attempt_mt_id, m.oadc_logged,
           coalesce(r.oadc, []) as declared_oadc
    from messages as m
    left join ref_short_codes as r on r.code = m.short_code
    where m.short_code is null
       or (m.oadc <> m.short_code and m.oadc <> '+' || m.short_code
           and not list_contains(coalesce(r.oadc, []), nfc_normalize(trim(m.oadc))))
    qualify row_number() over (partition by m.logical_id order by m.submitted_at, m.attempt_mt_id) = 1
)

select
    l.logical_id as message_id,
    l.msisdn,
    b.short_code,
    l.brand,
    l.service,
    b.oadc_logged as oadc,
    b.declared_oadc,
    b.submitted_at,
    case when len(b.declared_oadc) = 0 then 'not_short_code' else 'not_declared' end as reason,
    l.mt_ids,
    b.attempt_mt_id as breach_mt_id
from fct_logical_messages as l
join breaches as b using (logical_id)
order by b.submitted_at, message_id
