-- R13 SLA: the gateway's own downtime per connection (r13_connection_down.sql: from a stop,
-- or a crash's last line, to the next `Log begins`, while no log carrying the connection's
-- lines was up; another gateway's restart, in a log of its own, is not its, nor is one its
-- HA partner logged through). No observed time: an availability counts it neither available
-- nor down (sla.py). Not the stretches between separate logs that no log covers (`no_log`:
-- nothing says the gateway stopped then, only that nothing was logged; r13_unobserved.sql). Filtered as every other list: the connections of $short_code (those
-- that carried its MT lines), a downtime overlapping the period.
select d.smsc, d.down_from, d.down_to, epoch(d.down_to - d.down_from) as down_s, d.clean,
       d.load_id, d.line_no
from r13_connection_down($reopen_seconds) as d
where not d.no_log
  and ($short_code is null or d.smsc in (
          select smsc from fct_mt where short_code = $short_code and smsc is not null and smsc <> ''))
  and ($date_from is null or d.down_to > timezone($tz, cast($date_from as timestamp)))
  and ($date_to is null or d.down_from < timezone($tz, cast($date_to as timestamp) + interval 1 day))
order by d.smsc, d.down_to, d.load_id, d.line_no
