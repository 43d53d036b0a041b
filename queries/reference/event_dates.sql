-- First and last day of the events, so that ref_holidays covers the data (R2). Events
-- outside warehouse.EVENT_TIMES (damaged dates a warehouse loaded before they were
-- rejected) are left out: a year 0026 would ask for two thousand years of holidays.
SELECT min(logged_at)::DATE AS first_day, max(logged_at)::DATE AS last_day
FROM events
WHERE logged_at >= $earliest_event AND logged_at < $latest_event
