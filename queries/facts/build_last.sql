-- The fingerprint of the last facts rebuild, with whether every table it wrote is still
-- there (NULL: the facts were never built in this warehouse).
SELECT
    -- (now() is the time its transaction began: rowid orders two rebuilds of one transaction)
    (SELECT fingerprint FROM facts_builds ORDER BY built_at DESC, rowid DESC LIMIT 1) AS fingerprint,
    (SELECT count(*) FROM information_schema.tables
     WHERE table_schema = 'main' AND table_name IN (SELECT unnest($tables))) = len($tables) AS complete
