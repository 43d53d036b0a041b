-- Segment counting (RULES.md "Counting segments"), shared by the loaders (kannel_macros.sql,
-- canonical_macros.sql derive events.segments) and the facts (fct_mt.segments_max): one
-- counter, so that no reader counts a text otherwise. Temporary macros, defined on the
-- connection before the loader's or the facts' queries (ingest/kannel.py, ingest/canonical.py,
-- facts.py).

-- Two hex digits (or four) -> integer.
CREATE OR REPLACE TEMP MACRO hex_int(h) AS ('0x' || h)::INTEGER;

-- Does a UDH (hex, with its length byte) hold a concatenation element (IEI 00 or 08)? The
-- first three information elements are walked by their lengths.
CREATE OR REPLACE TEMP MACRO udh_concat(udh) AS CASE
    WHEN length(udh) < 4 THEN false
    WHEN substr(udh, 3, 2) IN ('00', '08') THEN true
    WHEN length(udh) < 9 + 2 * hex_int(substr(udh, 5, 2)) THEN false
    WHEN substr(udh, 7 + 2 * hex_int(substr(udh, 5, 2)), 2) IN ('00', '08') THEN true
    ELSE length(udh) >= 13 + 2 * hex_int(substr(udh, 5, 2)) + 2 * hex_int(substr(udh, 9 + 2 * hex_int(substr(udh, 5, 2)), 2))
         AND substr(udh, 11 + 2 * hex_int(substr(udh, 5, 2)) + 2 * hex_int(substr(udh, 9 + 2 * hex_int(substr(udh, 5, 2)), 2)), 2) IN ('00', '08')
END;

-- Segments for `units` (septets, octets or UTF-16 units) given the capacity of one
-- segment alone and of one part of a concatenated message.
CREATE OR REPLACE TEMP MACRO segments_for(units, alone, part) AS
    CASE WHEN units <= alone THEN 1 ELSE (units + part - 1) // part END;

-- GSM 03.38 septets of a coding-0 text as Kannel logs it (printable ASCII, every other byte
-- '.'), as the counts that bound it (septets_low, septets_high): characters of the extension
-- table (^ { } \ [ ] ~ |) count 2; a run of k dots is k literal dots or CR/LF (k septets) at most, and at least ceil(k/2) septets
-- (2-byte letters such as é; € is 3 bytes for 2 septets). Sum of ceil(k/2) over the runs =
-- (dots + runs of odd length) / 2, and removing '..' pairs leaves one dot per odd run: plain
-- string functions, no regular expression (this runs on every long MT text). Counts of
-- ASCII characters are differences of strlen (bytes, known without a scan); an extension
-- character is counted only when the text holds one (contains: a fast byte search), which
-- is 5 times cheaper than deleting all eight with translate (1.36 -> 0.26 s a million texts).
CREATE OR REPLACE TEMP MACRO count_char(t, c) AS
    CASE WHEN contains(t, c) THEN strlen(t) - strlen(replace(t, c, '')) ELSE 0 END;
CREATE OR REPLACE TEMP MACRO gsm_septets(t) AS {
    'chars': length(t),
    'ext':   count_char(t, '^') + count_char(t, '{') + count_char(t, '}') + count_char(t, '\')
             + count_char(t, '[') + count_char(t, ']') + count_char(t, '~') + count_char(t, '|'),
    'dots':  strlen(t) - strlen(replace(t, '.', '')),
    'odd':   strlen(replace(t, '..', '')) - strlen(replace(replace(t, '..', ''), '.', ''))
};
-- (each count above appears once, so it is computed once; the bounds are arithmetic on them)
CREATE OR REPLACE TEMP MACRO septets_low(s) AS s.chars + s.ext - s.dots + (s.dots + s.odd) // 2;
CREATE OR REPLACE TEMP MACRO septets_high(s) AS s.chars + s.ext;

-- Capacity, in units of the coding, of one segment alone / one part of a concatenated
-- message, given the UDH length (a concatenation element adds 5 octets, or 6 with the UDH
-- length octet when there was no UDH).
CREATE OR REPLACE TEMP MACRO seg_alone(coding, udh_len) AS CASE
    WHEN coding = 2 THEN (140 - udh_len) // 2
    WHEN coding = 1 THEN 140 - udh_len
    ELSE (140 - udh_len) * 8 // 7 END;
CREATE OR REPLACE TEMP MACRO seg_part(coding, udh_len) AS CASE
    WHEN coding = 2 THEN (134 - greatest(udh_len - 1, 0)) // 2
    WHEN coding = 1 THEN 134 - greatest(udh_len - 1, 0)
    ELSE (134 - greatest(udh_len - 1, 0)) * 8 // 7 END;

