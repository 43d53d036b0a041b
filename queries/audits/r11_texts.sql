-- R11 CONTENT, step 1: the texts of the period's accepted messages, one row per (text, brand,
-- category, sender, short code), each normalised once (not once per message), kept in a
-- temporary table that r11_brand_names.sql completes and r11_content.sql judges. The words
-- are read as the MO keywords are: upper case, accents dropped, anything but letters, digits,
-- dots and `?` a space (a lossy log's `..` and `?` stand for an accented letter).
-- claim_norm and brand_named are the brand-free defaults r11_brand_names.sql overwrites.
create or replace temp table audit_r11_texts as
with messages as (
    select
        logical_id,
        first_accepted_mt_id,
        submitted_at,
        short_code,
        brand,
        category,
        oadc,
        text
    from fct_logical_messages
    where accepted and text is not null
      -- an M2M payload is read by no one (and binary, its dots would pass for letters)
      and category is distinct from 'm2m'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
      and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)

select
    text, brand, category, oadc, short_code,
    -- (the ligatures spelt out, `Cœur` as `Coeur`: strip_accents keeps them)
    ' ' || trim(regexp_replace(upper(strip_accents(regexp_replace(regexp_replace(text, '[œŒ]', 'OE', 'g'),
                                                                  '[æÆ]', 'AE', 'g'))),
                               '[^A-Z0-9.?]+', ' ', 'g')) || ' ' as norm,
    ' ' || trim(regexp_replace(upper(strip_accents(coalesce(oadc, ''))), '[^A-Z0-9.?]+', ' ', 'g')) || ' ' as sender,
    messages, first_at, last_at, example_mt_id,
    norm as claim_norm,
    false as brand_named
from (
    select
        text, brand, category, oadc, short_code,
        count(*) as messages,
        min(submitted_at) as first_at,
        max(submitted_at) as last_at,
        arg_min(first_accepted_mt_id, (submitted_at, logical_id)) as example_mt_id
    from messages
    group by all
)
