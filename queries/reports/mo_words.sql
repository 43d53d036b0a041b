-- R4 picture: what subscribers actually write to the short codes (first word, accents and
-- case removed) and which normalised keyword it was read as; unread variants of STOP show
-- up here as frequent first words with no keyword. The $limit commonest; total_rows: how
-- many (word, keyword) pairs there are in all.
with mo as (
    select coalesce(first_word, '(empty)') as first_word, coalesce(keyword, '-') as keyword
    from fct_mo
    where outcome = 'accepted'
      and ($short_code is null or short_code = $short_code)
      -- a brand filter: the MOs to the short codes the brand sends on (an MO to a code concerns
      -- every brand on it, as an opt-out does for R4)
      and ($brand is null or short_code in (select short_code from fct_logical_messages where brand = $brand))
      and ($date_from is null or received_at >= timezone($tz, cast($date_from as timestamp)))
      and ($date_to is null or received_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
)
select first_word, keyword, count(*) as messages, count(*) over () as total_rows
from mo
group by first_word, keyword
order by messages desc, first_word
limit $limit
