-- The [rules] of the contract, its time zones and digest, and all its values as JSON
-- (contract_values): what the facts were built with.
CREATE OR REPLACE TABLE ref_settings AS
SELECT key, value
FROM ref_settings_input
ORDER BY key
