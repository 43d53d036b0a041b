-- The events the facts are built from, as the loads that hold them (a load only ever adds
-- events, or is undone in its own transaction) and their count, for facts.fingerprint.
SELECT
    coalesce((SELECT list(load_id ORDER BY load_id) FROM load_manifest WHERE state = 'loaded'), []) AS loads,
    (SELECT count(*) FROM events) AS events
