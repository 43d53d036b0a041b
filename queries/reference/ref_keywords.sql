-- R4 opt-out / opt-in keywords of the contract, normalised, with the lenient RE2 pattern
-- that fct_mo applies (see docs/schema.md, "MO keywords").
CREATE OR REPLACE TABLE ref_keywords AS
SELECT keyword, kind, normalised, pattern
FROM ref_keywords_input
