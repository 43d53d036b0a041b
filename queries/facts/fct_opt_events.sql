-- One row per opt event (R4) and brand it concerns: an accepted MO whose keyword is STOP or
-- START, for every brand sending marketing through the short code it was sent to
-- (ref_short_codes.brands when the contract lists them, else the brands of the marketing
-- services seen on that code in the traffic). R4's breaches and its per-brand statistics
-- both read this, so they agree on who opted out of what, and when.
CREATE OR REPLACE TABLE fct_opt_events AS
WITH opt_mo AS (
    SELECT mo_id, msisdn, short_code, received_at, keyword
    FROM fct_mo
    WHERE keyword IN ('STOP', 'START')
      AND outcome = 'accepted'
),

declared_brands AS (
    SELECT code AS short_code, unnest(brands) AS brand
    FROM ref_short_codes
    WHERE brands IS NOT NULL
),

seen_brands AS (
    SELECT DISTINCT short_code, brand
    FROM fct_logical_messages
    WHERE category = 'marketing'
      AND brand IS NOT NULL
      AND short_code IS NOT NULL
      -- a code with a brands list (even an empty one) takes it as is
      AND short_code NOT IN (SELECT code FROM ref_short_codes WHERE brands IS NOT NULL)
),

code_brands AS (
    SELECT short_code, brand FROM declared_brands
    UNION
    SELECT short_code, brand FROM seen_brands
)

SELECT
    o.msisdn,
    cb.brand,
    o.received_at AS opt_at,
    o.keyword,
    -- of opt-ins of one second to several short codes, the first line, with its own code
    -- (two minima apart made a pair no MO had: the 36181 STOP with the short code 36180)
    min(o.mo_id) AS mo_id,
    arg_min(o.short_code, o.mo_id) AS mo_short_code
FROM opt_mo AS o
JOIN code_brands AS cb ON cb.short_code = o.short_code
GROUP BY o.msisdn, cb.brand, o.received_at, o.keyword
