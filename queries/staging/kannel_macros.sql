-- Macros of the Kannel staging (temporary: defined on the loading connection at each load).
-- They hold the knowledge every step shares: what a label means (docs/schema.md, checked
-- against Kannel 1.4.0-1.4.5 gw/bb_smscconn.c and gw/smsc/smsc_smpp.c), how a logged text is
-- decoded per coding, and how many segments a text takes (RULES.md "Counting segments").

-- Every label a Kannel version writes, with what it means (kind, outcome); a line with any
-- other label is rejected. Use: SELECT unnest(kannel_labels(), recursive := true).
CREATE OR REPLACE TEMP MACRO kannel_labels() AS [
    {'label': 'Sent SMS',             'kind': 'mt', 'outcome': 'accepted'},
    {'label': 'REJECTED Send SMS',    'kind': 'mt', 'outcome': 'refused'},
    {'label': 'FAILED Send SMS',      'kind': 'mt', 'outcome': 'failed'},
    {'label': 'DISCARDED SMS',        'kind': 'mt', 'outcome': 'discarded'},
    {'label': 'EXPIRED SMS',          'kind': 'mt', 'outcome': 'expired'},
    {'label': 'Receive SMS',          'kind': 'mo', 'outcome': 'accepted'},
    -- 1.4.2+: 'REJECTED Receive SMS - <list> SMS'; 1.4.0-1.4.1: 'REJECTED - <list> SMS'
    {'label': 'REJECTED Receive SMS - not white-listed SMS',       'kind': 'mo', 'outcome': 'refused'},
    {'label': 'REJECTED Receive SMS - not white-regex-listed SMS', 'kind': 'mo', 'outcome': 'refused'},
    {'label': 'REJECTED Receive SMS - black-listed SMS',           'kind': 'mo', 'outcome': 'refused'},
    {'label': 'REJECTED Receive SMS - black-regex-listed SMS',     'kind': 'mo', 'outcome': 'refused'},
    {'label': 'REJECTED - not white-listed SMS',                   'kind': 'mo', 'outcome': 'refused'},
    {'label': 'REJECTED - not white-regex-listed SMS',             'kind': 'mo', 'outcome': 'refused'},
    {'label': 'REJECTED - black-listed SMS',                       'kind': 'mo', 'outcome': 'refused'},
    {'label': 'REJECTED - black-regex-listed SMS',                 'kind': 'mo', 'outcome': 'refused'},
    -- 1.4.0-1.4.1 write 'DLR SMS' for an accepted DLR
    {'label': 'Receive DLR',          'kind': 'dlr', 'outcome': 'accepted'},
    {'label': 'DLR SMS',              'kind': 'dlr', 'outcome': 'accepted'},
    -- a receipt that matched no MT (1.4.5: 'FAILED Receive DLR'; 1.4.2-1.4.4: 'FAILED DLR SMS')
    {'label': 'FAILED Receive DLR',   'kind': 'dlr', 'outcome': 'unmatched'},
    {'label': 'FAILED DLR SMS',       'kind': 'dlr', 'outcome': 'unmatched'},
    -- a DLR forwarded out through an SMSC link (SMPP server boxes)
    {'label': 'Sent DLR',             'kind': 'dlr_out', 'outcome': 'sent'},
    {'label': 'REJECTED Send DLR',    'kind': 'dlr_out', 'outcome': 'refused'},
    {'label': 'FAILED Send DLR',      'kind': 'dlr_out', 'outcome': 'failed'},
    {'label': 'DISCARDED DLR',        'kind': 'dlr_out', 'outcome': 'discarded'},
    {'label': 'EXPIRED DLR',          'kind': 'dlr_out', 'outcome': 'expired'},
    {'label': 'DROPPED Received SMS', 'kind': 'dropped', 'outcome': 'mo'},
    {'label': 'DROPPED Received DLR', 'kind': 'dropped', 'outcome': 'dlr'}
];

-- The same mapping as CASE expressions, most frequent labels first: the fast path's
-- per-line lookup (cheaper than a join; a test checks both agree on every label).
CREATE OR REPLACE TEMP MACRO kannel_kind(label) AS CASE
    WHEN label = 'Receive DLR' OR label = 'Sent SMS' THEN CASE WHEN label = 'Sent SMS' THEN 'mt' ELSE 'dlr' END
    WHEN label IN ('Receive SMS', 'REJECTED Receive SMS - not white-listed SMS',
                   'REJECTED Receive SMS - not white-regex-listed SMS', 'REJECTED Receive SMS - black-listed SMS',
                   'REJECTED Receive SMS - black-regex-listed SMS', 'REJECTED - not white-listed SMS',
                   'REJECTED - not white-regex-listed SMS', 'REJECTED - black-listed SMS',
                   'REJECTED - black-regex-listed SMS') THEN 'mo'
    WHEN label IN ('REJECTED Send SMS', 'FAILED Send SMS', 'DISCARDED SMS', 'EXPIRED SMS') THEN 'mt'
    WHEN label IN ('DLR SMS', 'FAILED Receive DLR', 'FAILED DLR SMS') THEN 'dlr'
    WHEN label IN ('Sent DLR', 'REJECTED Send DLR', 'FAILED Send DLR', 'DISCARDED DLR', 'EXPIRED DLR') THEN 'dlr_out'
    WHEN label IN ('DROPPED Received SMS', 'DROPPED Received DLR') THEN 'dropped'
END;
CREATE OR REPLACE TEMP MACRO kannel_outcome(label) AS CASE
    WHEN label = 'Receive DLR' OR label = 'Sent SMS' OR label = 'Receive SMS' OR label = 'DLR SMS' THEN 'accepted'
    WHEN label LIKE 'REJECTED %' THEN 'refused'
    WHEN label IN ('FAILED Receive DLR', 'FAILED DLR SMS') THEN 'unmatched'
    WHEN label IN ('FAILED Send SMS', 'FAILED Send DLR') THEN 'failed'
    WHEN label IN ('DISCARDED SMS', 'DISCARDED DLR') THEN 'discarded'
    WHEN label IN ('EXPIRED SMS', 'EXPIRED DLR') THEN 'expired'
    WHEN label = 'Sent DLR' THEN 'sent'
    WHEN label = 'DROPPED Received SMS' THEN 'mo'
    WHEN label = 'DROPPED Received DLR' THEN 'dlr'
END;

-- Two hex digits (or four) -> integer.
CREATE OR REPLACE TEMP MACRO hex_int(h) AS ('0x' || h)::INTEGER;

-- The bytes of a hex string, as integers.
CREATE OR REPLACE TEMP MACRO hex_bytes(h) AS
    list_transform(range(0, length(h) // 2), lambda i: hex_int(substr(h, 2 * i + 1, 2)));

-- Coding 1 (8-bit): the bytes as UTF-8 when they are valid UTF-8, else NULL.
CREATE OR REPLACE TEMP MACRO octets_utf8(h) AS try(decode(unhex(h)));

-- Coding 1 bytes that are not UTF-8, shown the way Kannel shows coding-0 text: bytes
-- 0x20-0x7E as themselves, every other byte as '.' (lossy; the raw hex stays in the file).
CREATE OR REPLACE TEMP MACRO octets_printable(h) AS array_to_string(
    list_transform(hex_bytes(h), lambda b: CASE WHEN b BETWEEN 32 AND 126 THEN chr(b) ELSE '.' END), '');

-- Coding 2: UTF-16BE code units of the hex text.
CREATE OR REPLACE TEMP MACRO ucs2_units(h) AS
    list_transform(range(0, length(h) // 4), lambda i: hex_int(substr(h, 4 * i + 1, 4)));

-- UTF-16 code units -> text; surrogate pairs joined, a lone surrogate shown as U+FFFD.
CREATE OR REPLACE TEMP MACRO ucs2_text(u) AS array_to_string(list_transform(u, lambda x, i: CASE
    WHEN x BETWEEN 55296 AND 56319 AND coalesce(u[i + 1], 0) BETWEEN 56320 AND 57343
        THEN chr(65536 + ((x - 55296) << 10) + (u[i + 1] - 56320))
    WHEN x BETWEEN 56320 AND 57343 AND i > 1 AND u[i - 1] BETWEEN 55296 AND 56319 THEN ''
    WHEN x BETWEEN 55296 AND 57343 THEN chr(65533)
    ELSE chr(x) END), '');

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

-- The pieces of a logged text that are costly to compute, worked out ONCE per line in a
-- CTE of the events queries and passed to the macros below (a macro argument is
-- substituted wherever it is used: a list built inside a lambda would be rebuilt for every
-- element): UTF-16 units (coding 2), the UTF-8 reading of the octets (coding 1), and the
-- GSM septet bounds of long coding-0 MT texts (short ones cannot exceed one segment).
CREATE OR REPLACE TEMP MACRO kannel_units(text, coding) AS
    CASE WHEN coding = 2 THEN ucs2_units(text) END;
CREATE OR REPLACE TEMP MACRO kannel_utf8(text, coding) AS
    CASE WHEN coding = 1 THEN octets_utf8(text) END;
-- (msg_len: the checked LEN, equal to the length of the printable text)
-- (a custom format without %c: the text is read as GSM; without %L: by its length)
CREATE OR REPLACE TEMP MACRO kannel_septets(kind, text, coding, msg_len, udh_len) AS
    CASE WHEN kind = 'mt' AND coalesce(coding, 0) NOT IN (1, 2)
              AND 2 * coalesce(msg_len, length(text)) > (140 - udh_len) * 8 // 7
         THEN gsm_septets(text) END;

-- The text of an event, decoded per coding: UCS-2 hex -> text; 8-bit hex -> text when the
-- bytes are UTF-8, else printable with '.' ; anything else is the printable text as logged.
CREATE OR REPLACE TEMP MACRO kannel_text(text, coding, units, utf8) AS CASE
    WHEN coding IS NULL OR coding NOT IN (1, 2) THEN text
    WHEN coding = 2 THEN ucs2_text(units)
    ELSE coalesce(utf8, octets_printable(text))
END;

-- Is the decoded text (`decoded`, from kannel_text) lossy? Coding 0/-1: Kannel wrote every
-- byte outside 0x20-0x7E as '.', so ANY dot may stand for a replaced byte: lossy iff the
-- text holds a '.' (a full stop and a replaced byte cannot be told apart). Coding 1: lossy
-- iff the bytes are not UTF-8 (shown printable). Coding 2: lossy iff a code unit is
-- incomplete or a surrogate unpaired (decoded as U+FFFD): the decoded text holds more U+FFFD
-- than the code units (`units`, from kannel_units) hold FFFD, which a sender may write.
CREATE OR REPLACE TEMP MACRO kannel_lossy(text, coding, units, utf8, decoded) AS coalesce(CASE
    WHEN coding IS NULL OR coding NOT IN (1, 2) THEN contains(text, '.')
    WHEN coding = 1 THEN utf8 IS NULL
    WHEN length(text) % 4 <> 0 THEN true
    WHEN NOT contains(decoded, chr(65533)) THEN false
    ELSE length(decoded) - length(replace(decoded, chr(65533), '')) > len(list_filter(units, lambda u: u = 65533))
END, false);

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

-- Segments an MT line stands for (RULES.md "Counting segments"): a part with a
-- concatenation UDH is 1; a message the gateway split itself (one line, whole text) takes
-- GSM 160/153 septets, 8-bit 140/134 octets, UCS-2 70/67 UTF-16 units, less the room of any
-- other UDH. Septets from kannel_septets (NULL: a short text, one segment). The common case
-- (short GSM text, no UDH) is decided first.
CREATE OR REPLACE TEMP MACRO kannel_segments(kind, coding, msg_len, udh, udh_len, septets) AS CASE
    WHEN kind <> 'mt' THEN NULL
    WHEN septets IS NULL AND udh = '' AND coalesce(coding, 0) NOT IN (1, 2) THEN 1
    WHEN udh <> '' AND udh_concat(udh) THEN 1
    WHEN coding = 2 THEN segments_for(msg_len // 2, seg_alone(2, udh_len), seg_part(2, udh_len))
    WHEN coding = 1 THEN segments_for(msg_len, seg_alone(1, udh_len), seg_part(1, udh_len))
    WHEN septets IS NULL THEN 1
    ELSE segments_for(septets_low(septets), seg_alone(0, udh_len), seg_part(0, udh_len))
END;

-- Is that count exact? Only a lossy GSM text can leave it uncertain: false when its septet
-- bounds fall on both sides of a segment boundary.
CREATE OR REPLACE TEMP MACRO kannel_segments_exact(kind, udh, udh_len, septets) AS CASE
    WHEN kind <> 'mt' THEN NULL
    WHEN septets IS NULL OR (udh <> '' AND udh_concat(udh)) THEN true
    ELSE segments_for(septets_low(septets), seg_alone(0, udh_len), seg_part(0, udh_len))
         = segments_for(septets_high(septets), seg_alone(0, udh_len), seg_part(0, udh_len))
END;
