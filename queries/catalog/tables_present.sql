-- Which of the tables (or views) $names the warehouse has: one created by an earlier version
-- and opened read-only has not had the newer queries/schema/ files applied, nor facts built.
SELECT table_name
FROM information_schema.tables
WHERE table_schema = 'main' AND table_name IN (SELECT unnest($names::VARCHAR[]))
