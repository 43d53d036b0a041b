-- R13 SLA: the instants the warehouse's logs cover, first and last logged event (any kind,
-- any connection): the time over which an availability can be measured. A period the logs
-- do not cover is not counted as available, nor as down.
select min(logged_at) as first_at, max(logged_at) as last_at
from events
