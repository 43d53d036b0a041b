-- The short codes a brand sends on (any accepted message, any day of the warehouse) and its
-- messages on each: the codes whose MOs a brand filter counts as the brand's (daily_traffic.sql,
-- mo_words.sql: an MO carries no brand), said on the pages that count them.
select short_code, count(*) as messages
from fct_logical_messages
where brand = $brand
  and short_code is not null
group by short_code
order by short_code
