-- R9: actual traffic per short code and local calendar month: MT segments accepted by the
-- platform (`Sent SMS` lines; refused, failed, discarded and expired lines never reached
-- Orange's SMSC) and the peak rate, the largest number of those segments submitted in one
-- second (the measure of R8 and of Orange's throughput tiers).
WITH accepted AS (
    SELECT short_code, submitted_at, segments
    FROM fct_mt
    WHERE outcome = 'accepted'
      AND short_code IS NOT NULL
      AND ($short_code IS NULL OR short_code = $short_code)
),
per_second AS (
    SELECT
        short_code,
        date_trunc('second', submitted_at) AS second,
        sum(segments) AS segments
    FROM accepted
    GROUP BY short_code, second
),
per_month AS (
    SELECT
        short_code,
        date_trunc('month', second AT TIME ZONE $tz)::DATE AS month,
        sum(segments)::BIGINT AS actual_segments,
        max(segments)::BIGINT AS actual_peak,
        count(*) AS busy_seconds
    FROM per_second
    GROUP BY short_code, month
)
SELECT * FROM per_month ORDER BY short_code, month
