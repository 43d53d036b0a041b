-- R9: the local calendar days the MT data covers. Only months lying wholly inside
-- [first_day, last_day] are compared with a forecast: a month the logs only partly cover
-- would look like a shortfall.
SELECT
    min(submitted_at AT TIME ZONE $tz)::DATE AS first_day,
    max(submitted_at AT TIME ZONE $tz)::DATE AS last_day
FROM fct_mt
