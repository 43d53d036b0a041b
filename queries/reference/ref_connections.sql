-- Gateway connection (Kannel smsc-id) -> the short code it carries, one row per connection
-- the contract names (a short code carried by several binds has several): how an MT or MO
-- line on a connection gets its short code (fct_mt, fct_mo). The contract gives each
-- connection to one short code at most (config.py).
CREATE OR REPLACE TABLE ref_connections AS
SELECT smsc, code
FROM (SELECT unnest(smsc) AS smsc, code FROM ref_short_codes)
