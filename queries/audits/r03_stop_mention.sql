-- R3 STOP-MENTION: every logical marketing message accepted by the platform must name the
-- STOP keyword followed by the short code it was sent from, the contract's "STOP au <short
-- code>", leniently: any case, accents, spacing, punctuation and up to three filler words
-- between them (`STOP au 36180`, `STOP SMS 36180`, `Stop: 36180`, `STOP au 36 180`,
-- `STOP au 3 6 1 8 0`, `STOP n°36180`, `STOP36180`, `STOP au36180`, `STOP au +36180`: Kannel's split-suffix `+` written into the
-- text where it split it). The code named elsewhere in the text (`Offre au 36180.
-- Répondez STOP`) is no mention of where to send STOP.
-- Gateway-lossy text (`é` logged as `..`) is harmless: dots read as punctuation, and so does
-- `?`, what Kannel sends and logs for a character GSM lacks: a no-break space of a word
-- processor (`STOP\u00a0au\u00a036180`, logged `STOP?au?36180`, real Kannel 1.4.5).
-- Reasons, by precedence:
--   missing_stop        no STOP word at all;
--   wrong_number        a number named right after STOP differs from the short code (beside
--                       the code too: `STOP au 36180 ou STOP au 36181`);
--   missing_short_code  STOP is there, no number right after it (wherever else the short
--                       code may appear in the text).
-- Services with stop_notice_exempt (users told at collection) are skipped, and so are texts
-- the log does not carry (NULL: counted apart by r03_texts_not_logged). Each distinct
-- (text, short code) is judged once, then joined back to its messages; the details are
-- fetched for the breaches only. The short code is each accepted attempt's
-- (fct_accepted_attempts: a resend may leave on another code than the text names); a
-- message is one breach, that of its first attempt in breach.
with marketing as (
    select
        l.logical_id,
        l.short_code,
        l.smsc,
        l.oadc,
        l.submitted_at,
        l.attempt_mt_id,
        l.text
    from fct_accepted_attempts as l
    left join ref_services as s on s.name = l.service
    where l.text is not null
      and l.category = 'marketing'
      and not coalesce(s.stop_notice_exempt, false)
      and ($short_code is null or l.short_code = $short_code)
      and ($brand is null or l.brand = $brand)
      and ($date_from is null or l.submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or l.submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

texts as (
    select distinct text, short_code
    from marketing
),

normalised as (
    select
        text,
        short_code,
        -- no-break spaces (French typography: `36\u202f180`, UCS-2 texts) read as spaces
        regexp_replace(strip_accents(upper(text)), '[\x{00A0}\x{202F}]', ' ', 'g') as norm
    from texts
),

mentions as (
    select
        text,
        short_code,
        -- (`STOP36180`: the number may follow with no space)
        regexp_matches(norm, '\bSTOP(?:\b|\d)') as has_stop,
        -- numbers (4+ digits, `36 180`, `3 6 1 8 0`, `06 12 34 56 78`) named right after STOP, past
        -- punctuation, brackets, quotes or `=` and up to three filler words, the number written against the last one
        -- too (`STOP au36180`, as `STOP36180`); `numéro` also as a lossy log shows it
        -- (`NUM..RO`: sent in GSM; `NUM.RO`: Latin-1; real Kannel 1.4.5)
        list_transform(
            regexp_extract_all(
                norm,
                '\bSTOP(?:\b[\s:.,;!?°+\-()"''«»=/>*]*(?:(?:SMS|AU|AUX|A|NUM(?:E|\.{1,3}|\?)RO|NUM|NO|N|VERS|PAR|SUR|LE)(?:\b[\s:.,;!?°+\-()"''«»=/>*]*)?){0,3})?(\d{4,}|\d{2}(?:[ .?]\d{2}){4}\b|\d{2}[ .?]\d{3}\b|\d(?:[ .?]\d){4}\b)',
                1
            ),
            lambda x: regexp_replace(x, '[^0-9]', '', 'g')
        ) as stop_numbers
    from normalised
),

judged as (
    select
        text,
        short_code,
        stop_numbers,
        case
            when not has_stop then 'missing_stop'
            when short_code is null then null
            -- every number named right after a STOP is the code: `STOP au 36180 ou STOP au
            -- 36181` names another number (RULES.md R3: a breach)
            when list_contains(stop_numbers, short_code)
                 and len(list_filter(stop_numbers, lambda n: n <> short_code)) = 0 then null
            when len(stop_numbers) > 0 then 'wrong_number'
            else 'missing_short_code'
        end as reason
    from mentions
),

breaches as materialized (
    select m.logical_id, m.short_code, m.smsc, m.oadc, m.submitted_at, m.attempt_mt_id, j.reason, j.stop_numbers
    from marketing as m
    join judged as j
      on j.text = m.text
     and j.short_code is not distinct from m.short_code
    where j.reason is not null
    qualify row_number() over (partition by m.logical_id order by m.submitted_at, m.attempt_mt_id) = 1
)

select
    l.logical_id as message_id,
    l.msisdn,
    b.short_code,
    l.brand,
    l.service,
    b.submitted_at,
    b.reason,
    b.stop_numbers as numbers_named,
    l.text,
    l.text_lossy,
    l.mt_ids,
    b.attempt_mt_id as breach_mt_id
from fct_logical_messages as l
join breaches as b using (logical_id)
order by b.submitted_at, message_id
