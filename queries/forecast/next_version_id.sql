-- R9: the id of the next forecast version (load order).
SELECT coalesce(max(version_id), 0) + 1 AS version_id FROM forecasts
