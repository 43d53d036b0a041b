-- R13 SLA: per connection, every stretch that is no observed time, whatever the period (the 12
-- rolling months reach back before --from: a downtime before it is still not observed): the
-- gateway's own downtime, the stretches between the connection's logs that no log covers and,
-- before its first log or after its last, those no log at all covers (r13_connection_down.sql). Overlapping pieces (two logs down at once) are counted once by
-- sla.py.
select smsc, down_from, down_to, no_log
from r13_connection_down($reopen_seconds)
order by smsc, down_from, down_to
