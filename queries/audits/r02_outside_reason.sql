-- R2: why a local time is outside the window, NULL when it is inside: 'sunday' (the weekly
-- rest day, whatever else the day is), then 'holiday' (on_holiday: the caller's join with
-- ref_holidays), then 'hour' (outside [window_start, window_end)). Both R2 queries
-- (r02_window: when a message was sent; r02_late_deliveries: when it was sent and delivered)
-- read the precedence from this one macro.
CREATE OR REPLACE TEMP MACRO r02_outside_reason(local_at, on_holiday, window_start, window_end) AS
    CASE
        WHEN dayofweek(cast(local_at AS DATE)) = 0 THEN 'sunday'
        WHEN on_holiday THEN 'holiday'
        WHEN cast(local_at AS TIME) < window_start OR cast(local_at AS TIME) >= window_end THEN 'hour'
    END
