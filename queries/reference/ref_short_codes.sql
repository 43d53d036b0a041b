-- Short codes of the contract and their options (R5-R8); range = the ABC range '34'..'38';
-- smsc: the connections (Kannel smsc-ids) that carry it (none, one or several binds).
CREATE OR REPLACE TABLE ref_short_codes AS
SELECT
    code,
    smsc,
    rate,
    oadc,
    geo_presence,
    brands,
    left(code, 2) AS range
FROM ref_short_codes_input
