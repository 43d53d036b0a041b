-- First and last day of the events, so that ref_holidays covers the data (R2).
SELECT min(logged_at)::DATE AS first_day, max(logged_at)::DATE AS last_day
FROM events
