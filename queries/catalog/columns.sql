-- The columns of the warehouse's tables (of $table only, when given): a newer version adds
-- tables and columns when a loader connects, which a read-only reader must allow for.
SELECT table_name, column_name
FROM information_schema.columns
WHERE table_schema = 'main' AND ($table IS NULL OR table_name = $table)
