-- R9: whether the warehouse has the forecasts table (one created before R9 and opened
-- read-only has not had queries/schema/05_forecasts.sql applied).
SELECT count(*) > 0 AS present
FROM information_schema.tables
WHERE table_name = 'forecasts'
