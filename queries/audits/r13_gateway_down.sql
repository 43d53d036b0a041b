-- R13 SLA: the gateway's own downtime (r13_downtime.sql: from a stop, or a crash's last line,
-- to the next `Log begins`) per connection: a connection is down with the logs its lines are
-- in (another gateway's restart, in a log of its own, is not its). No observed time: an
-- availability counts it neither available nor down (sla.py).
with connection_logs as (
    select distinct e.smsc, regexp_replace(f.path, '([.-][0-9]+)?(\.gz)?$', '') as log_name
    from (select distinct smsc, load_id from events where smsc is not null and smsc <> '') as e
    join load_manifest as f using (load_id)
)

select c.smsc, d.down_from, d.down_to, epoch(d.down_to - d.down_from) as down_s, d.clean,
       d.load_id, d.line_no
from r13_downtime($reopen_seconds) as d
join connection_logs as c using (log_name)
order by c.smsc, d.down_to, d.load_id, d.line_no
