-- Longest-prefix numbering plan (E.164 digits without '+') -> kind and territory (R10).
-- national_prefix: the French national form that maps to this prefix (0690 -> 590690).
CREATE OR REPLACE TABLE ref_numbering AS
SELECT prefix, kind, territory, digits, national_prefix, source
FROM ref_numbering_input
ORDER BY prefix
