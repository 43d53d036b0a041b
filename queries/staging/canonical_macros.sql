-- Macros of the canonical staging (temporary: defined on the loading connection at each load).

-- An integer field as written: plain decimal digits, signed or not; '2.0' too (pandas writes
-- an integer column that has a missing value as floats). Anything else (2.5, 0x1, 1e3, 1_0),
-- which a cast would round or read, is NULL: the row is refused with the reason.
CREATE OR REPLACE TEMP MACRO canonical_integer(value) AS
    CASE WHEN regexp_full_match(trim(value), '[+-]?[0-9]+(\.0+)?')
         THEN regexp_replace(trim(value), '\.0+$', '') END;

-- Why an integer column's value did not cast: not an integer as written (canonical_integer),
-- or one its column cannot hold (`range`: the values it takes, as said to the user).
CREATE OR REPLACE TEMP MACRO canonical_integer_problem(name, value, range) AS
    CASE WHEN canonical_integer(value) IS NULL THEN name || ' is not an integer: ' || value
         ELSE name || ' is out of range (' || range || '): ' || value END;

-- An ISO 8601 timestamp as the format says: date, time (seconds and fraction optional), and
-- an offset or Z, or none (UTC). A zone abbreviation (BST, IST, CST: ambiguous, read by the
-- cast with other meanings) or a zone name is not an offset; a date alone has no time.
CREATE OR REPLACE TEMP MACRO canonical_timestamp_text(value) AS
    regexp_full_match(trim(value), '[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?');

-- The offset of such a timestamp, as written: {'sign', 'hours', 'minutes'} ('' when there is
-- none, or Z). The cast reads any two digits (+25:00 moved an event a day, +01:75 by 2 h 15):
-- the check keeps offsets within ±14:00 (real ones run from -12:00 to +14:00).
CREATE OR REPLACE TEMP MACRO canonical_offset(value) AS
    regexp_extract(trim(value), '([+-])([0-9]{2}):?([0-9]{2})?$', ['sign', 'hours', 'minutes']);

-- A value that is not text (an integer, a boolean, a timestamp) as written, NULL when empty:
-- "" (Python's csv.writer with QUOTE_ALL writes None so) or '' (a Parquet file of strings)
-- is absent, as an empty unquoted field is, and takes the column's default.
CREATE OR REPLACE TEMP MACRO canonical_value(value) AS nullif(trim(value), '');

-- The GSM 03.38 septets of a canonical text (real characters, as kannel_segments takes
-- them, kannel_macros.sql): one a character, two for one of the extension table
-- (€ [ ] { } ^ ~ \ |). Unlike Kannel's logged text, no character stands for an unknown
-- byte (dots: 0), so the count is exact.
CREATE OR REPLACE TEMP MACRO canonical_septets(t) AS {
    'chars': length(t),
    'ext': length(t) - length(regexp_replace(t, '[€\[\]{}^~\\|]', '', 'g')),
    'dots': 0,
    'odd': 0
};
