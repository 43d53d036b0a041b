-- R8 RATE: one row per short code and second above the short code's subscribed rate (10
-- SMS/s when the short code is not in the contract), from audit_r08_seconds (r08_seconds:
-- segments of accepted MT lines per short code and second).
select
    short_code,
    to_timestamp(epoch_second) as second,
    segments,
    rate,
    segments - rate as over_by,
    lines
from audit_r08_seconds
where segments > rate
order by short_code, epoch_second
