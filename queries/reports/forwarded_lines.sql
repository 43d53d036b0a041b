-- Data quality: delivery reports and MOs Kannel forwarded as MTs (reroute-dlr, reroute:
-- fct_mt.forwarded), per kind and connection that carried them: `Sent SMS` lines that status
-- and R8 count as the submits they are, but that no rule judges as messages of a brand.
select forwarded, smsc, count(*) as lines, sum(coalesce(segments, 1))::BIGINT as segments
from fct_mt
where forwarded is not null
group by forwarded, smsc
order by forwarded, lines desc, smsc
