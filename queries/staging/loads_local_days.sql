-- The first and last local day of the events of some loads ($load_ids): the period an
-- ingest's cautions speak of (ingest/cautions.py), so that a nightly job is told about the
-- night it loaded, not again about a day of weeks ago.
SELECT min(timezone($tz, logged_at))::DATE AS first_day, max(timezone($tz, logged_at))::DATE AS last_day
FROM events
WHERE list_contains($load_ids, load_id)
