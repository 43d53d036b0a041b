-- R9: the version already holding a file with these bytes (a file loaded twice is one version).
SELECT min(version_id) AS version_id, count(*) AS rows
FROM forecasts
WHERE sha256 = $sha256
