-- R1 FREQ: logical marketing messages accepted by the platform, per recipient, brand and
-- LOCAL calendar day; one row per (msisdn, brand, day) above $frequency_cap.
-- Segments of one concatenated message and resubmissions after a failure are already one
-- row of fct_logical_messages; a message the platform refused (accepted = false) does not
-- count. The cap is per brand across its short codes: the short-code filter keeps the groups
-- that involve that code but still counts every message of the brand that day.
-- Cost: the first pass (the CTE is inlined, not materialized) counts on one 64-bit hash of
-- (msisdn, brand, day) instead of the strings; a collision could only add a candidate, and
-- the second pass, which gathers the lists (message ids, lines) of the candidate groups,
-- groups on the real keys and checks the cap again, so the result is exact.
with marketing as not materialized (
    select
        logical_id,
        msisdn,
        brand,
        short_code,
        submitted_at,
        cast(timezone($tz, submitted_at) as date) as day,
        hash(msisdn, brand, cast(timezone($tz, submitted_at) as date)) as group_hash,
        mt_ids
    from fct_logical_messages
    where accepted
      and category = 'marketing'
      and msisdn is not null   -- not logged (no %P): not judged, counted by numbers_not_logged
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
),

over_cap as (
    select group_hash
    from marketing
    group by group_hash
    having count(*) > $frequency_cap
),

breach_messages as (
    select m.*
    from marketing as m
    semi join over_cap as o on o.group_hash = m.group_hash
),

per_group as (
    select
        msisdn,
        brand,
        day,
        count(*) as messages,
        list(logical_id order by submitted_at, logical_id) as message_ids,
        list(distinct short_code order by short_code) filter (where short_code is not null) as short_codes,
        min(submitted_at) as first_at,
        max(submitted_at) as last_at,
        flatten(list(mt_ids order by submitted_at, logical_id)) as mt_ids
    from breach_messages
    group by msisdn, brand, day
    having count(*) > $frequency_cap
)

select
    msisdn,
    brand,
    day,
    messages,
    messages - $frequency_cap as over_cap,
    message_ids,
    short_codes,
    first_at,
    last_at,
    mt_ids
from per_group
where $short_code is null or list_contains(short_codes, $short_code)
order by day, msisdn, brand
