-- The manifest of a load whose last line went to a later load (see load_lines_from.sql):
-- it no longer holds that line, so its accounting drops by it and stays
-- lines = events + markers + rejected.
UPDATE load_manifest
SET lines = lines - ($events + $markers + $rejected),
    events = events - $events,
    markers = markers - $markers,
    rejected = rejected - $rejected
WHERE load_id = $load_id
