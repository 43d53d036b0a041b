-- Data quality: delivery reports Kannel forwarded as MTs (reroute-dlr, fct_mt.forwarded_dlr),
-- per connection that carried them: `Sent SMS` lines that status and R8 count as the submits
-- they are, but that no rule judges as a message of a brand.
select smsc, count(*) as lines, sum(coalesce(segments, 1))::BIGINT as segments
from fct_mt
where forwarded_dlr
group by smsc
order by lines desc, smsc
