-- R11: the accepted messages R11 would read but cannot, because the log does not carry their
-- text (a gateway whose access-log-format has no %b, an export without a text column): not
-- flags, but said, or `0 texts to review` would read as texts read and found clean (a probe).
-- The messages r11_content.sql reads, but for their text.
select count(*) as messages
from fct_logical_messages
where accepted and text is null
  and category is distinct from 'm2m'
  and ($short_code is null or short_code = $short_code)
  and ($brand is null or brand = $brand)
  and ($date_from is null or submitted_at >= timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or submitted_at < timezone($tz, cast($date_to as timestamp) + interval 1 day))
