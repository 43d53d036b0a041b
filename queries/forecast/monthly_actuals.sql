-- R9: actual traffic per short code and local calendar month: MT segments accepted by the
-- platform (`Sent SMS` lines: the traffic the forecast announces; refused, failed, discarded
-- and expired lines reached no handset) and the peak rate, the largest number of those
-- segments accepted in one second. R8 counts the segments the SMSC refused too (submitted
-- segments, an operation each): a second with refused submits can peak higher there than
-- here (docs/forecast.md). Segments are fct_mt's, as R8 reads them: a line whose segments the
-- log did not let be counted is one.
-- Seconds are folded into UTC quarter-hours before the time-zone conversion: every UTC
-- offset in use is a multiple of 15 minutes, so a quarter-hour lies in one local month, and
-- the conversion runs on thousands of quarters instead of millions of seconds.
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
        epoch_us(submitted_at) // 1000000 AS second,   -- whole UTC seconds since 1970
        sum(segments) AS segments
    FROM accepted
    GROUP BY short_code, second
),
per_quarter AS (
    SELECT
        short_code,
        second // 900 AS quarter,
        sum(segments) AS segments,
        max(segments) AS peak,
        count(*) AS busy_seconds
    FROM per_second
    GROUP BY short_code, quarter
),
per_month AS (
    SELECT
        short_code,
        date_trunc('month', to_timestamp(quarter * 900) AT TIME ZONE $tz)::DATE AS month,
        sum(segments)::BIGINT AS actual_segments,
        max(peak)::BIGINT AS actual_peak,
        sum(busy_seconds)::BIGINT AS busy_seconds
    FROM per_quarter
    GROUP BY short_code, month
)
SELECT * FROM per_month ORDER BY short_code, month
