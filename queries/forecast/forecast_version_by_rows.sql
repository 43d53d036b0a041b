-- R9: the first version holding exactly the rows of the relation `forecast_upload` (the rows
-- of files.read_forecast_file; the columns stored, not the row numbers): the CSV and the XLSX
-- of one forecast are one version. Same count, none of the upload's rows missing from it:
-- a version has one row per short code and month, as a file does.
WITH upload AS (
    SELECT short_code, month, mt_segments, peak_sms_per_s, subscribed_rate, semester, made_on
    FROM forecast_upload
),
versions AS (
    SELECT version_id, min(source) AS source, count(*) AS rows
    FROM forecasts
    GROUP BY version_id
)
SELECT v.version_id, v.source
FROM versions AS v
WHERE v.rows = (SELECT count(*) FROM upload)
  AND NOT EXISTS (
      SELECT * FROM upload
      EXCEPT
      SELECT short_code, month, mt_segments, peak_sms_per_s, subscribed_rate, semester, made_on
      FROM forecasts AS f
      WHERE f.version_id = v.version_id
  )
ORDER BY v.version_id
LIMIT 1
