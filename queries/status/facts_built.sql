-- Whether the fact tables status reads exist (a warehouse where ingest never ran has none).
SELECT count(*) = 2 AS built
FROM information_schema.tables
WHERE table_name IN ('fct_mt', 'fct_dlr')
