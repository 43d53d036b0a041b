-- Every number as written in the logs -> E.164, numbering kind and territory (R10).
-- Normalisation: separators dropped; '+336...' kept; '00336...' and '336...' (7-15 digits)
-- get a '+'; French national '0X...' becomes '+33X...', except the overseas mobiles that
-- look metropolitan (0690 -> +590 690, see ref_numbering.national_prefix; so do +33690...,
-- 0033690... and 33690..., the same national number behind +33) and M2M 0700 + 10
-- digits; anything else (21 digits, letters, short codes) is kept as written. Two forms of a
-- French national number that real Kannel 1.4.5 writes when the SMSC gives a number a type
-- that does not fit it are read as the national number they are: '+0611110006' (a national
-- number sent as type international: Kannel writes the '+'; no country code starts with 0)
-- and '612345670' (a mobile's nine digits without their 0, sent as type national: read as
-- E.164 it would be Australia's +61 with 7 digits, a number no plan has). So for every
-- French national number, nine digits (a landline's '142685300' is no +1 number: those have
-- 11) and an M2M SIM's 0700 + 10 digits ('7001234567801' is no +7 number, '+07001234567802'
-- its type international form).
-- kind: longest ref_numbering prefix; 'malformed' when the length does not fit the plan.
-- The only numbering lookup: fct_mt/fct_mo copy it, R6 and R10 judge fct_mt.number_kind.
CREATE OR REPLACE TABLE int_msisdn AS
WITH raw_numbers AS (
    SELECT DISTINCT receiver AS raw FROM events WHERE kind IN ('mt', 'dlr') AND receiver IS NOT NULL
    UNION
    SELECT DISTINCT sender AS raw FROM events WHERE kind = 'mo' AND sender IS NOT NULL
    UNION
    -- the handset of a `FAILED Receive DLR` (Kannel logs its numbers swapped): fct_dlr links
    -- it to an MT line whose `to` is that number written otherwise
    SELECT DISTINCT sender AS raw FROM events WHERE kind = 'dlr' AND outcome = 'unmatched' AND sender IS NOT NULL
),

cleaned AS (
    -- translate deletes the separators, only in the numbers that hold one (a yes/no pattern
    -- test is cheaper than translate: 0.34 -> 0.13 s for 2.6 M distinct numbers)
    SELECT raw, CASE WHEN regexp_matches(raw, '[ .()/-]') THEN translate(raw, ' .()/-', '') ELSE raw END AS written
    FROM raw_numbers
),

-- the two national forms above (patterns tested on the numbers of their length only)
national_read AS (
    SELECT raw, CASE
        WHEN length(written) = 11 AND regexp_full_match(written, '\+0[1-9][0-9]{8}') THEN substr(written, 2)
        WHEN length(written) = 15 AND regexp_full_match(written, '\+0700[0-9]{10}') THEN substr(written, 2)
        WHEN length(written) = 9 AND regexp_full_match(written, '[1-9][0-9]{8}') THEN '0' || written
        WHEN length(written) = 13 AND regexp_full_match(written, '700[0-9]{10}') THEN '0' || written
        ELSE written
    END AS s
    FROM cleaned
),

-- the national number a form stands for: itself ('0...'), or the nine digits after +33,
-- 0033 or 33 with their 0 ('33690123456': an application that turned 0690123456 into
-- "international" by swapping its 0 for 33, which names no number of the plan). An overseas
-- national prefix read that way is the overseas number it is: one subscriber, one key,
-- whatever form the brand wrote (a probe: a STOP from +590690123457 and promotions to
-- 33690123457 after it were two numbers, R1 and R4 found nothing)
national_form AS (
    SELECT raw, s, CASE
        WHEN regexp_full_match(s, '(\+|00)?33[1-9][0-9]{8}') THEN '0' || right(s, 9)
        WHEN regexp_full_match(s, '0[0-9]+') THEN s
    END AS nat
    FROM national_read
),

national_overseas AS (
    SELECT national_prefix, prefix, digits
    FROM ref_numbering
    WHERE national_prefix IS NOT NULL
),

normalised AS (
    SELECT
        c.raw,
        c.s,
        CASE
            WHEN o.prefix IS NOT NULL THEN '+' || o.prefix || substr(c.nat, 5)
            WHEN regexp_full_match(c.s, '\+[1-9][0-9]{6,14}') THEN c.s
            WHEN regexp_full_match(c.s, '00[1-9][0-9]{6,14}') THEN '+' || substr(c.s, 3)
            WHEN regexp_full_match(c.s, '0[1-9][0-9]{8}') THEN '+33' || substr(c.s, 2)
            WHEN regexp_full_match(c.s, '[1-9][0-9]{6,14}') THEN '+' || c.s
            ELSE c.raw
        END AS msisdn
    FROM national_form AS c
    LEFT JOIN national_overseas AS o
        ON left(c.nat, 4) = o.national_prefix
        AND length(c.nat) - 4 + length(o.prefix) = o.digits
),

with_digits AS (
    SELECT *, CASE WHEN regexp_full_match(msisdn, '\+[0-9]{7,15}') THEN substr(msisdn, 2) END AS digits
    FROM normalised
),

-- longest prefix: looked up once per distinct leading digits as long as the plan's longest
-- prefix (numbers share them), not once per number
longest AS (
    SELECT max(length(prefix)) AS n FROM ref_numbering
),

number_leads AS (
    SELECT DISTINCT left(w.digits, p.n) AS lead
    FROM with_digits AS w, longest AS p
    WHERE w.digits IS NOT NULL
),

candidates AS (
    SELECT l.lead, r.prefix, r.kind, r.territory, r.digits AS plan_digits
    FROM number_leads AS l
    CROSS JOIN range(1, 16) AS k(n)   -- 15: the most digits an E.164 number has
    JOIN ref_numbering AS r ON r.prefix = left(l.lead, k.n::INTEGER)
    WHERE k.n <= length(l.lead)
),

best AS (
    SELECT
        lead,
        arg_max(kind, length(prefix)) AS kind,
        arg_max(territory, length(prefix)) AS territory,
        arg_max(plan_digits, length(prefix)) AS plan_digits
    FROM candidates
    GROUP BY lead
)

SELECT
    w.raw,
    w.msisdn,
    CASE
        WHEN w.digits IS NULL AND regexp_matches(w.raw, '[A-Za-z]') THEN 'alphanumeric'
        WHEN w.digits IS NULL AND regexp_full_match(w.s, '[0-9]{3,6}') THEN 'short_code'
        WHEN w.digits IS NULL THEN 'malformed'
        WHEN b.kind IS NULL THEN 'unknown'
        WHEN b.plan_digits IS NOT NULL AND length(w.digits) <> b.plan_digits THEN 'malformed'
        ELSE b.kind
    END AS number_kind,
    b.territory
FROM with_digits AS w
CROSS JOIN longest AS p
LEFT JOIN best AS b ON b.lead = left(w.digits, p.n)
