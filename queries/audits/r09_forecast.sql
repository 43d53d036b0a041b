-- R9 FORECAST: each short code and month, actual traffic against the forecast version that
-- was current for that month: the one made last (made_on, then load order) on or before the
-- month's last day (a version made after the month ended is hindsight, not a forecast).
-- made_on is what the file says; loaded_at (when it was loaded) is shown beside it, so that a
-- version made or back-dated to within the month, loaded long after, can be seen.
-- Reads the table `forecasts` and the relation `r9_actuals` (queries/forecast/monthly_actuals.sql,
-- registered by opsanalytics.forecast.compare). Only months wholly inside the data
-- ($data_first_day..$data_last_day) and the period ($date_from..$date_to) are judged; the
-- others that overlap both are listed as 'partial' (a nightly report of one day does not
-- judge its whole month).
WITH versions AS (
    SELECT *
    FROM forecasts
    WHERE made_on <= last_day(month)
      AND ($short_code IS NULL OR short_code = $short_code)
),
current_version AS (
    SELECT *
    FROM versions
    QUALIFY row_number() OVER (PARTITION BY short_code, month ORDER BY made_on DESC, version_id DESC) = 1
),
version_counts AS (
    SELECT short_code, month, count(*) AS versions
    FROM versions
    GROUP BY short_code, month
),
actuals AS (
    SELECT short_code, month, actual_segments, actual_peak
    FROM r9_actuals
    WHERE $short_code IS NULL OR short_code = $short_code
),
months AS (
    SELECT
        coalesce(f.short_code, a.short_code) AS short_code,
        coalesce(f.month, a.month) AS month,
        f.mt_segments AS forecast_segments,
        coalesce(a.actual_segments, 0) AS actual_segments,
        f.peak_sms_per_s AS forecast_peak,
        coalesce(a.actual_peak, 0) AS actual_peak,
        f.subscribed_rate,
        f.version_id,
        f.made_on,
        date_trunc('second', f.loaded_at) AS loaded_at,
        f.source,
        f.row_no
    FROM current_version AS f
    FULL OUTER JOIN actuals AS a
        ON a.short_code = f.short_code AND a.month = f.month
),
in_scope AS (
    SELECT
        m.*,
        m.month >= $data_first_day AND last_day(m.month) <= $data_last_day
            AND ($date_from IS NULL OR m.month >= $date_from)
            AND ($date_to IS NULL OR last_day(m.month) <= $date_to) AS complete
    FROM months AS m
    WHERE last_day(m.month) >= $data_first_day
      AND m.month <= $data_last_day
      AND ($date_from IS NULL OR last_day(m.month) >= $date_from)
      AND ($date_to IS NULL OR m.month <= $date_to)
),
deviations AS (
    SELECT
        *,
        CASE WHEN forecast_segments > 0 THEN actual_segments / forecast_segments - 1 END AS segments_deviation,
        CASE WHEN forecast_peak > 0 THEN actual_peak / forecast_peak - 1 END AS peak_deviation
    FROM in_scope
),
-- beyond the tolerance: a deviation of exactly the tolerance is within it, as written in decimals
-- (468 / 360 - 1 is 0.30000000000000004 in binary floating point: flagged at 30 % without the rounding)
flags AS (
    SELECT
        *,
        forecast_segments IS NOT NULL AND (
            CASE WHEN forecast_segments > 0 THEN round(abs(segments_deviation), 9) > $forecast_tolerance
                 ELSE actual_segments > 0 END
        ) AS segments_flag,
        forecast_peak IS NOT NULL AND (
            CASE WHEN forecast_peak > 0 THEN round(abs(peak_deviation), 9) > $forecast_tolerance
                 ELSE actual_peak > 0 END
        ) AS peak_flag
    FROM deviations
),
judged AS (
    SELECT
        f.short_code,
        f.month,
        year(f.month) || 'H' || CASE WHEN month(f.month) <= 6 THEN 1 ELSE 2 END AS semester,
        CASE
            WHEN NOT f.complete THEN 'partial'
            WHEN f.forecast_segments IS NULL THEN 'no_forecast'
            WHEN f.segments_flag OR f.peak_flag THEN 'flagged'
            ELSE 'ok'
        END AS status,
        CASE
            WHEN NOT f.complete THEN NULL
            WHEN f.forecast_segments IS NULL THEN 'no_forecast'
            WHEN f.segments_flag AND f.peak_flag THEN 'segments+peak'
            WHEN f.segments_flag THEN 'segments'
            WHEN f.peak_flag THEN 'peak'
        END AS reason,
        f.forecast_segments,
        f.actual_segments,
        round(f.segments_deviation, 4) AS segments_deviation,
        f.forecast_peak,
        f.actual_peak,
        round(f.peak_deviation, 4) AS peak_deviation,
        f.subscribed_rate,
        f.version_id,
        f.made_on,
        f.loaded_at,
        coalesce(v.versions, 0) AS versions,
        f.source,
        f.row_no
    FROM flags AS f
    LEFT JOIN version_counts AS v
        ON v.short_code = f.short_code AND v.month = f.month
)
SELECT * FROM judged ORDER BY short_code, month
