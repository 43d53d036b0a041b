-- R9: store one validated forecast file as a new version. Reads the relation `forecast_upload`
-- registered by opsanalytics.forecast.store (the rows of files.read_forecast_file).
INSERT INTO forecasts
SELECT
    $version_id AS version_id,
    $source AS source,
    $sha256 AS sha256,
    $loaded_at AS loaded_at,
    row_no,
    short_code,
    month,
    mt_segments,
    peak_sms_per_s,
    subscribed_rate,
    semester,
    made_on
FROM forecast_upload
