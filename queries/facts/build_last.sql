-- The fingerprint of the last facts rebuild, with whether every table it wrote is still
-- there (NULL: the facts were never built in this warehouse).
SELECT
    (SELECT fingerprint FROM facts_builds ORDER BY built_at DESC LIMIT 1) AS fingerprint,
    (SELECT count(*) FROM information_schema.tables
     WHERE table_schema = 'main' AND table_name IN (SELECT unnest($tables))) = len($tables) AS complete
