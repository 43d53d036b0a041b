-- R6 RANGE: traffic whose category does not fit its short code's range. Logical messages
-- accepted by the platform; one reason each, by precedence:
--   unknown_short_code       the short code is not in the contract (or none could be told);
--   marketing_outside_35_36  marketing on 34, 37 or 38;
--   no_geo_presence          marketing on 35ABC without the Géo Présence option;
--   not_m2m_number           38ABC traffic to a number that is not an M2M SIM of the right
--                            length: the facts' number_kind (fct_mt, int_msisdn) is not 'm2m'
--                            (a 0700 number of the wrong length is 'malformed' there); a
--                            message whose number the log does not carry (msisdn NULL: a
--                            format without %P, a canonical row without receiver) is not
--                            judged on it (numbers_not_logged: a probe found 548 breaches
--                            in a CSV export without its receiver column).
-- Each accepted attempt is judged on its own short code (fct_accepted_attempts: a resend may
-- leave on another); a message is one breach, that of its first attempt in breach.
with messages as (
    select
        logical_id,
        short_code,
        smsc,
        oadc,
        submitted_at,
        attempt_mt_id,
        category
    from fct_accepted_attempts
    where ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

codes as (
    select code, left(code, 2) as code_range, geo_presence
    from ref_short_codes
),

suspects as materialized (
    select
        m.logical_id,
        m.short_code,
        m.smsc,
        m.oadc,
        m.submitted_at,
        m.attempt_mt_id,
        m.category,
        c.code is not null as known,
        c.code_range,
        coalesce(c.geo_presence, false) as geo_presence
    from messages as m
    left join codes as c on c.code = m.short_code
    where c.code is null
       or c.code_range = '38'
       or (m.category = 'marketing' and (c.code_range not in ('35', '36') or (c.code_range = '35' and not c.geo_presence)))
),

-- the facts' kind of the recipient of 38ABC traffic (number_kind is never NULL there): a
-- message's lines share its number, and its first line's id is its logical_id
number_kind as (
    select m.mt_id as logical_id, m.number_kind, m.msisdn
    from fct_mt as m
    semi join suspects as s on s.logical_id = m.mt_id and s.code_range = '38'
),

breaches as materialized (
    select *
    from (
        select
            s.logical_id,
            s.short_code,
            s.smsc,
            s.oadc,
            s.submitted_at,
            s.attempt_mt_id,
            k.number_kind,
            case
                when not s.known then 'unknown_short_code'
                when s.category = 'marketing' and s.code_range not in ('35', '36') then 'marketing_outside_35_36'
                when s.category = 'marketing' and s.code_range = '35' and not s.geo_presence then 'no_geo_presence'
                when s.code_range = '38' and k.msisdn is not null and k.number_kind is distinct from 'm2m'
                    then 'not_m2m_number'
            end as reason
        from suspects as s
        left join number_kind as k on k.logical_id = s.logical_id and s.code_range = '38'
    )
    where reason is not null
    qualify row_number() over (partition by logical_id order by submitted_at, attempt_mt_id) = 1
)

select
    l.logical_id as message_id,
    l.msisdn,
    b.short_code,
    l.brand,
    l.service,
    l.category,
    b.submitted_at,
    b.reason,
    b.number_kind,
    l.mt_ids,
    b.attempt_mt_id as breach_mt_id
from fct_logical_messages as l
join breaches as b using (logical_id)
order by b.submitted_at, message_id
