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

-- Segments for `units` (septets or octets) given the capacity of one
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

-- Parts of a GSM text (real characters: no dot standing for an unknown byte) split as Kannel
-- splits it: each part filled to `part` septets, but an extension character (escape + char)
-- never cut in two (gw/sms.c sms_split, gwlib/charset.c charset_gsm_truncate): when septet 153
-- would be an escape, the part holds 152 and the character opens the next. So 152 'a' + '['
-- + 152 'a' (306 septets) is 3 parts, not 2 (real Kannel 1.4.5 run). A fold over the
-- characters: used only for long texts holding an extension character (few).
CREATE OR REPLACE TEMP MACRO gsm_parts_filled(t, part) AS list_reduce(
    list_transform(string_split(t, ''),
                   lambda ch: CASE WHEN ch IN ('^', '{', '}', '\', '[', ']', '~', '|', '€') THEN 2 ELSE 1 END),
    lambda acc, w: CASE WHEN acc.fill + w > part THEN {'parts': acc.parts + 1, 'fill': w}
                        ELSE {'parts': acc.parts, 'fill': acc.fill + w} END,
    {'parts': 1, 'fill': 0}).parts;

-- Capacity of one segment alone / one part of a concatenated message, given the UDH length
-- (a concatenation element adds 5 octets, or 6 with the UDH length octet when there was no
-- UDH): septets for GSM, OCTETS for 8-bit and UCS-2 alike. Kannel cuts a UCS-2 payload in
-- octets (gw/sms.c sms_split), so a part under an application's UDH of even length holds an
-- odd number of bytes, half a UTF-16 unit at its end (real Kannel 1.4.5: 129 units under
-- 050003D10101 went as 129 + 129 bytes, 2 submits; counted in whole units, 64 a part, they
-- read 3). Without a UDH, 134 octets are 67 units: the same count as in units.
CREATE OR REPLACE TEMP MACRO seg_alone(coding, udh_len) AS CASE
    WHEN coding IN (1, 2) THEN 140 - udh_len
    ELSE (140 - udh_len) * 8 // 7 END;
CREATE OR REPLACE TEMP MACRO seg_part(coding, udh_len) AS CASE
    WHEN coding IN (1, 2) THEN 134 - greatest(udh_len - 1, 0)
    ELSE (134 - greatest(udh_len - 1, 0)) * 8 // 7 END;


-- Segments of a long GSM text `t` (its gsm_septets `s`) with a UDH of `udh_len` octets: the
-- count (gsm_segments) and the most it may be (gsm_segments_high). A text without dots is
-- known: split as Kannel splits it. A lossy one (dots) counts at its lower septet bound; at
-- its upper bound, a part may lose a septet to an escape (any dot may hide a '€'), so the
-- most is counted with parts one septet smaller. A form feed (2 septets, logged as one '.')
-- is beyond that bound: read a dot as one character. The fold runs only where a septet lost
-- per part could change the count (306 septets: 2 parts of 153, or 3 of 152; 280: 2 either way).
CREATE OR REPLACE TEMP MACRO gsm_segments(s, t, udh_len) AS CASE
    WHEN s.ext > 0 AND s.dots = 0 AND septets_low(s) > seg_alone(0, udh_len)
         AND segments_for(septets_low(s), seg_alone(0, udh_len), seg_part(0, udh_len))
             <> segments_for(septets_low(s), seg_alone(0, udh_len), seg_part(0, udh_len) - 1)
        THEN gsm_parts_filled(t, seg_part(0, udh_len))
    ELSE segments_for(septets_low(s), seg_alone(0, udh_len), seg_part(0, udh_len)) END;
CREATE OR REPLACE TEMP MACRO gsm_segments_high(s, t, udh_len) AS CASE
    WHEN s.dots = 0 THEN gsm_segments(s, t, udh_len)
    ELSE segments_for(septets_high(s), seg_alone(0, udh_len), seg_part(0, udh_len) - 1) END;
