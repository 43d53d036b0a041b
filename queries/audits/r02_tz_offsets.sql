-- R2: the smallest and largest UTC offset (seconds) the rules' time zone takes, sampled
-- daily over 2000-2060. Both R2 queries (r02_window, r02_late_deliveries) read it through
-- this table macro: the offsets bound the local time of an instant, so a cheap, exact
-- pre-selection in integer UTC seconds keeps only what could be outside the window.
CREATE OR REPLACE TEMP MACRO r02_tz_offsets(tz) AS TABLE
    select min(o) as min_off, max(o) as max_off
    from (
        select epoch(timezone(tz, timezone('UTC', t))) - epoch(t) as o
        from range(timestamp '2000-01-01 12:00:00', timestamp '2060-01-01', interval 1 day) as r(t)
    )
