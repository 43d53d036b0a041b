-- R1 picture: the numbers under the most marketing pressure in one local day across all
-- brands, with the brands involved; the worst first, $limit of them: total_rows says how
-- many (number, day) pairs there are in all, for the page to say "top 25 of 1,234".
with messages as (
    select msisdn, coalesce(brand, '(undeclared)') as brand,
           cast(submitted_at at time zone $tz as date) as day
    from fct_logical_messages
    where accepted and category = 'marketing'
      and ($short_code is null or short_code = $short_code)
      and ($brand is null or brand = $brand)
),
per_day as (
    select msisdn, day, count(*) as messages, count(distinct brand) as brands,
           string_agg(distinct brand, ', ' order by brand) as brand_list
    from messages
    where ($date_from is null or day >= $date_from)
      and ($date_to is null or day <= $date_to)
    group by msisdn, day
)
select msisdn, day, messages, brands, brand_list, count(*) over () as total_rows
from per_day
where messages > 1
order by messages desc, brands desc, day, msisdn
limit $limit
