-- R9: every forecast version loaded, oldest first: what was submitted, when, for which months.
WITH versions AS (
    SELECT
        version_id,
        any_value(source) AS source,
        any_value(sha256) AS sha256,
        string_agg(DISTINCT semester, ',' ORDER BY semester) AS semesters,
        min(made_on) AS made_on,
        any_value(loaded_at) AS loaded_at,  -- beside made_on: a version made long before it was loaded shows
        min(month) AS first_month,
        max(month) AS last_month,
        count(DISTINCT short_code) AS short_codes,
        count(*) AS rows,
        sum(mt_segments) AS mt_segments
    FROM forecasts
    WHERE $short_code IS NULL OR short_code = $short_code
    GROUP BY version_id
)
SELECT * FROM versions ORDER BY version_id
