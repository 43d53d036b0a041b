-- Macros of the Kannel staging (temporary: defined on the loading connection at each load).
-- They hold the knowledge every step shares: what a label means (docs/schema.md, checked
-- against Kannel 1.4.0-1.4.5 gw/bb_smscconn.c and gw/smsc/smsc_smpp.c), how a logged text is
-- decoded per coding, and how many segments a line stands for (the counting itself:
-- queries/reference/segment_macros.sql, defined before these).

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

-- 1.4.0-1.4.3 apply the white/black lists to DLRs too and log a DLR so refused with the MO
-- label `REJECTED - <list> SMS` (real runs: tests/fixtures/kannel-older/1.4.2-whitelist,
-- 1.4.2-blacklist-regex). Such a DLR carries its status in %d (an MO carries -1) or, in a
-- format without %d, Kannel's `ACK/` / `NACK/...` or an SMPP receipt as its text. Kannel had
-- matched it to its MT (FID, the MT's from/to) and removed it from its DLR store, then passed it
-- to no box: what `DROPPED Received DLR` means, so it is loaded as such (kind 'dropped',
-- outcome 'dlr'): linked to its MT, whose status it gives, and counted neither as a refused MO
-- nor as a DLR line the application got. Overrides the label's kind and outcome.
CREATE OR REPLACE TEMP MACRO kannel_list_dropped_dlr(label, dlr_mask, text) AS CASE
    WHEN NOT starts_with(label, 'REJECTED ') OR NOT ends_with(label, 'listed SMS') THEN false
    WHEN dlr_mask IS NOT NULL THEN dlr_mask > 0
    ELSE coalesce(text = 'ACK/' OR starts_with(text, 'NACK/') OR regexp_matches(text, '^id:\S+ .*stat:'), false)
END;

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

-- The coding of a hex text that a format without %c leaves unsaid (Kannel hex-encodes 8-bit
-- and UCS-2 alike): UCS-2 (2) when its UTF-16 units are all characters of the scripts and
-- symbols texts are written in (ucs2_text_unit), else 8-bit (1: UTF-8 text or binary). UCS-2
-- first: handsets and applications send UCS-2 for any text GSM cannot carry, 8-bit mostly
-- for binary (ringtones, WAP push), whose units fall outside those blocks (private use,
-- unassigned, invisible). A guess all the same: 4 ASCII bytes that are also 2 CJK characters
-- (`STOP` is 協佐) read as UCS-2; the loader flags such texts lossy.
CREATE OR REPLACE TEMP MACRO ucs2_text_unit(x) AS
    x IN (9, 10, 13) OR x BETWEEN 32 AND 126 OR x BETWEEN 160 AND 879          -- Latin, diacritics
    OR x BETWEEN 880 AND 1919 OR x BETWEEN 2304 AND 3711                       -- Greek to Arabic; Indic, Thai
    OR x BETWEEN 7680 AND 7935 OR x BETWEEN 8192 AND 8287                      -- Latin extended; punctuation, ZWJ
    OR x BETWEEN 8352 AND 8399 OR x BETWEEN 8448 AND 11263                     -- currency; symbols, dingbats
    OR x BETWEEN 12288 AND 12543 OR x BETWEEN 19968 AND 40959                  -- kana; CJK
    OR x BETWEEN 44032 AND 55203 OR x BETWEEN 65024 AND 65039                  -- Hangul; variation selectors
    OR x BETWEEN 65280 AND 65519;                                              -- full width
-- (a surrogate counts when paired, or when it ends or starts the text: a part of a message
-- split blindly every 67 units may cut an emoji in two)
CREATE OR REPLACE TEMP MACRO ucs2_units_plausible(u) AS list_bool_and(list_transform(
    list_zip(u, list_prepend(NULL::INTEGER, list_slice(u, 1, len(u) - 1)), list_append(list_slice(u, 2, len(u)), NULL::INTEGER)),
    lambda t: CASE
        WHEN t[1] BETWEEN 55296 AND 56319 THEN coalesce(t[3] BETWEEN 56320 AND 57343, true)
        WHEN t[1] BETWEEN 56320 AND 57343 THEN coalesce(t[2] BETWEEN 55296 AND 56319, true)
        ELSE ucs2_text_unit(t[1])
    END));
CREATE OR REPLACE TEMP MACRO kannel_hex_coding(h) AS CASE
    WHEN length(h) % 4 = 0 AND ucs2_units_plausible(ucs2_units(h)) THEN 2
    ELSE 1
END::SMALLINT;

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
-- text holds a '.' (a full stop and a replaced byte cannot be told apart) -- unless it also
-- holds a character outside 0x20-0x7E: then Kannel did not escape it (1.4.0-1.4.1 write the
-- text raw, in Latin-1) and its dots are full stops (tested only on texts with a dot). Coding 1: lossy
-- iff the bytes are not UTF-8 (shown printable). Coding 2: lossy iff a code unit is
-- incomplete or a surrogate unpaired (decoded as U+FFFD): the decoded text holds more U+FFFD
-- than the code units (`units`, from kannel_units) hold FFFD, which a sender may write.
CREATE OR REPLACE TEMP MACRO kannel_lossy(text, coding, units, utf8, decoded) AS coalesce(CASE
    WHEN coding IS NULL OR coding NOT IN (1, 2) THEN CASE WHEN contains(text, '.') THEN NOT regexp_matches(text, '[^ -~]') ELSE false END
    WHEN coding = 1 THEN utf8 IS NULL
    WHEN length(text) % 4 <> 0 THEN true
    WHEN NOT contains(decoded, chr(65533)) THEN false
    ELSE length(decoded) - length(replace(decoded, chr(65533), '')) > len(list_filter(units, lambda u: u = 65533))
END, false);

-- Segments an MT line stands for (RULES.md "Counting segments"): a message the gateway split
-- itself (one line, whole text) takes GSM 160/153 septets, 8-bit 140/134 octets, UCS-2 70/67
-- UTF-16 units, less the room of any other UDH. So does a part the application split (a
-- concatenation UDH): one segment when it fits, but Kannel splits a part too long for one
-- again, adding its own concatenation element (real Kannel 1.4.5: 154 septets under UDH
-- 050003BB0201 went as two submits under 0A0003BB0201000302020x). UCS-2 is counted in bytes
-- (msg_len, Kannel's LEN), as 8-bit: Kannel cuts a payload in octets whatever its coding (gw/sms.c
-- sms_split), so under the application's UDH a part holds an odd number of bytes and may cut a
-- UTF-16 unit in two (real Kannel 1.4.5: 129 units under 050003D10101 went as 129 + 129 bytes,
-- 2 submits, not 3 parts of 64 units); without a UDH 134 bytes are 67 units, the same count.
-- Septets from kannel_septets (NULL: a short text, one segment); `t` the text they were
-- counted on. The common case (short GSM text, no UDH) is decided first.
CREATE OR REPLACE TEMP MACRO kannel_segments(kind, coding, msg_len, udh, udh_len, septets, t) AS CASE
    WHEN kind <> 'mt' THEN NULL
    WHEN septets IS NULL AND udh = '' AND coalesce(coding, 0) NOT IN (1, 2) THEN 1
    WHEN coding IN (1, 2) THEN segments_for(msg_len, seg_alone(coding, udh_len), seg_part(coding, udh_len))
    WHEN septets IS NULL THEN 1
    ELSE gsm_segments(septets, t, udh_len)
END;

-- Is that count exact? Only a lossy GSM text can leave it uncertain: false when its septet
-- bounds fall on both sides of a segment boundary.
CREATE OR REPLACE TEMP MACRO kannel_segments_exact(kind, udh_len, septets, t) AS CASE
    WHEN kind <> 'mt' THEN NULL
    WHEN septets IS NULL THEN true
    ELSE gsm_segments(septets, t, udh_len) = gsm_segments_high(septets, t, udh_len)
END;

-- Reading a line again with a field holding a delimiter (kannel_slow.sql): the occurrences
-- of the delimiter taken as part of a field are replaced by a private-use character that no
-- gateway writes and no literal of the format matches, then put back in every value read.
CREATE OR REPLACE TEMP MACRO kannel_hidden() AS chr(57344);
CREATE OR REPLACE TEMP MACRO kannel_unhide(x, hid) AS
    CASE WHEN hid IS NULL THEN x ELSE replace(x, chr(57344), hid) END;
-- Occurrences of the string s in t (not overlapping).
CREATE OR REPLACE TEMP MACRO kannel_count(t, s) AS
    CASE WHEN contains(t, s) THEN (strlen(t) - strlen(replace(t, s, ''))) // strlen(s) ELSE 0 END;
-- How unlikely a reading is: the free fields that hold one of the literals that end a field
-- (`ends`), ranked by how rarely such a value holds one: a text matched whole (not sliced by
-- LEN) or an alphanumeric sender often does, connection and service names and message ids
-- seldom, a recipient number never. The highest rank held, -1 for none.
CREATE OR REPLACE TEMP MACRO kannel_holds(x, ends) AS
    coalesce(len(list_filter(ends, lambda e: contains(x, e))) > 0, false);
CREATE OR REPLACE TEMP MACRO kannel_penalty(ends, text_free, text, sender, binfo, account, meta, service,
                                            smsc, fid, receiver) AS CASE
    WHEN kannel_holds(receiver, ends) THEN 8
    WHEN kannel_holds(fid, ends) THEN 7
    WHEN kannel_holds(smsc, ends) THEN 6
    WHEN kannel_holds(service, ends) THEN 5
    WHEN kannel_holds(meta, ends) THEN 4
    WHEN kannel_holds(account, ends) THEN 3
    WHEN kannel_holds(binfo, ends) THEN 2
    WHEN kannel_holds(sender, ends) THEN 1
    WHEN text_free AND kannel_holds(text, ends) THEN 0
    ELSE -1 END;

-- Why a line with a time (logged_at, the line's own or its neighbours') is not an event.
CREATE OR REPLACE TEMP MACRO kannel_time_reason(logged_at, earliest, latest) AS CASE
    WHEN logged_at IS NULL THEN 'no valid time for the event'
    WHEN logged_at < earliest OR logged_at >= latest
        THEN printf('the time (%s UTC) is outside %d-%d: a damaged date', strftime(logged_at, '%Y-%m-%d %H:%M:%S'),
                    year(earliest), year(latest) - 1) END;

-- The positional reading of access-log lines (kannel_slow.sql, kannel_again.sql), one row per row of the
-- table or CTE named `src` (line_no, line, variant, hid, pline: the line as read, `hid`
-- standing in for some of its characters, see kannel_hidden). The fields are read by the
-- parse plan of opsanalytics.ingest.kannel_format: head_re matches everything up to where
-- the text starts (free fields lazy, in their fixed order); the text is then SLICED by its
-- LEN (bytes: 2 hex digits a byte for codings 1 and 2, one character a byte for the
-- printable text of the others), never matched; tail_re must match exactly what follows
-- (e.g. '] [udh:N:HEX]'). Both name every field, so a field is `h.x || t.x` wherever the
-- format put it. Formats without %L before %b match the text whole and check its length
-- after (is_sliced = false), as do formats whose text is %a (is_squeezed).
-- Result: every field, the line's own time (own_time; time_unset when the message had none),
-- and why it is not an event, in two parts around the time checks, which need the lines
-- around it (reason_pre, then the time, then reason_post); NULL when it reads.
CREATE OR REPLACE TEMP MACRO kannel_read(src, head_re, head_names, tail_re, tail_names, is_sliced, with_text,
                                         coding_late, coding_absent, is_squeezed, with_prefix, time_src, log_tz, smsbox,
                                         absent) AS TABLE
WITH lines AS (
    SELECT line_no, line, variant, hid, pline,
           CASE WHEN with_prefix AND line IS NOT NULL
                THEN try_strptime(left(line, 19), '%Y-%m-%d %H:%M:%S') END AS prefix_ts
    FROM query_table(src)
),
matched AS (
    SELECT *,
           prefix_ts IS NOT NULL AND substr(line, 20, 1) = ' '
               AND substr(line, 21) IN ('Log begins', 'Log ends') AS is_marker,
           coalesce(regexp_matches(pline, head_re), false) AS head_ok,
           regexp_extract(coalesce(pline, ''), head_re, head_names) AS h
    FROM lines
),
sliced AS (
    SELECT *,
           try_cast(nullif(h.msg_len, '') AS INTEGER) AS head_len,
           -- BIGINT: LEN times it must not overflow for a LEN near the INTEGER limit
           CASE WHEN try_cast(nullif(h.coding, '') AS INTEGER) IN (1, 2) THEN 2
                -- %c after %b (coding_late): hex (2 digits a byte) when what follows
                -- 2 x LEN characters is the tail, with coding 1 or 2
                WHEN coding_late AND head_len IS NOT NULL
                     AND regexp_extract(substr(h.rest, 2 * head_len::BIGINT + 1), tail_re, tail_names).coding IN ('1', '2')
                    THEN 2
                -- no %c at all (coding_absent): hex when 2 x LEN hex digits are followed by the
                -- tail and LEN characters are not (a GSM text is LEN characters)
                WHEN coding_absent AND is_sliced AND head_len > 0
                     AND NOT regexp_matches(substr(h.rest, head_len::BIGINT + 1), tail_re)
                     AND regexp_matches(substr(h.rest, 2 * head_len::BIGINT + 1), tail_re)
                     AND regexp_full_match(substr(h.rest, 1, 2 * head_len::BIGINT), '[0-9A-F]+')
                    THEN 2
                -- (a text matched whole, %L after it: hex when it is 2 x LEN hex digits)
                WHEN coding_absent AND NOT is_sliced AND head_len > 0 AND length(h.text) = 2 * head_len::BIGINT
                     AND regexp_full_match(h.text, '[0-9A-F]+')
                    THEN 2
                -- (no %L either: hex when the text is Kannel's upper-case hex of UCS-2 units,
                -- a letter among its digits (a code of digits is a GSM text), every unit a
                -- character of a script: a UCS-2 `ARRÊT` (00410052005200CA0054) read as GSM
                -- text was no STOP, a long UCS-2 message 4 exact segments for 3: a probe)
                WHEN coding_absent AND NOT is_sliced AND head_len IS NULL
                     AND coalesce(regexp_full_match(h.text, '([0-9A-F]{4}){2,}'), false)
                     AND regexp_matches(h.text, '[A-F]') AND ucs2_units_plausible(ucs2_units(h.text))
                    THEN 2
                ELSE 1 END::BIGINT AS chars_per_byte
    FROM matched
),
tailed AS (
    SELECT *,
           -- a format with no text escape (a gateway that keeps texts out of its log): unknown
           CASE WHEN NOT with_text THEN NULL
                WHEN is_sliced THEN substr(h.rest, 1, head_len * chars_per_byte) ELSE h.text END AS text_logged,
           CASE WHEN is_sliced THEN substr(h.rest, head_len * chars_per_byte + 1) ELSE '' END AS after_text
    FROM sliced
),
fielded AS (
    SELECT *,
           regexp_matches(after_text, tail_re) AS tail_ok,
           regexp_extract(after_text, tail_re, tail_names) AS t
    FROM tailed
),
typed AS (
    SELECT line_no, line, variant, hid, is_marker, head_ok, tail_ok, head_len, chars_per_byte,
           length(h.rest) AS rest_chars, kannel_unhide(text_logged, hid) AS text,
           prefix_ts AS ts,
           try_strptime(nullif(h.msg_time || t.msg_time, ''), '%Y-%m-%d %H:%M:%S') AS msg_time,
           try_cast(nullif(h.epoch || t.epoch, '') AS BIGINT) AS epoch,
           h.epoch || t.epoch = '' AS epoch_empty,
           kannel_unhide(h.label || t.label, hid) AS label,
           kannel_unhide(h.smsc || t.smsc, hid) AS smsc, kannel_unhide(h.service || t.service, hid) AS service,
           kannel_unhide(h.account || t.account, hid) AS account, kannel_unhide(h.binfo || t.binfo, hid) AS binfo,
           kannel_unhide(h.fid || t.fid, hid) AS fid, kannel_unhide(h.meta || t.meta, hid) AS meta,
           -- a number the format does not carry (no %p / %P, absent) is unknown: NULL, not ''
           CASE WHEN NOT list_contains(absent, 'sender') THEN kannel_unhide(h.sender || t.sender, hid) END AS sender,
           CASE WHEN NOT list_contains(absent, 'receiver') THEN kannel_unhide(h.receiver || t.receiver, hid) END AS receiver,
           try_cast(nullif(h.mclass || t.mclass, '') AS SMALLINT) AS mclass,
           -- (a hex text of a format without %c: its coding guessed from its bytes)
           CASE WHEN coding_absent AND chars_per_byte = 2 THEN kannel_hex_coding(text_logged)
                ELSE try_cast(nullif(h.coding || t.coding, '') AS SMALLINT) END AS coding,
           try_cast(nullif(h.mwi || t.mwi, '') AS SMALLINT) AS mwi,
           try_cast(nullif(h.compress || t.compress, '') AS SMALLINT) AS compress,
           try_cast(nullif(h.dlr_mask || t.dlr_mask, '') AS INTEGER) AS dlr_mask,
           try_cast(nullif(h.msg_len || t.msg_len, '') AS INTEGER) AS msg_len,
           try_cast(nullif(h.udh_len || t.udh_len, '') AS INTEGER) AS udh_len,
           upper(h.udh || t.udh) AS udh,
           -- as written, to tell a flag absent from one too large for its type
           [h.mclass || t.mclass, h.coding || t.coding, h.mwi || t.mwi, h.compress || t.compress,
            h.dlr_mask || t.dlr_mask] AS flags_logged
    FROM fielded
),
-- Kannel writes the message time -1 (%t = 1969-12-31 23:59:59) when the message has none,
-- e.g. on `FAILED Receive DLR` lines (a receipt that matched no MT), and %T then prints
-- nothing (gw/bb_alog.c; '-1' is read as unset too): time_unset, the caller dates the line
-- from the lines around it.
stamped AS (
    SELECT typed.*,
           CASE WHEN kannel_list_dropped_dlr(label, dlr_mask, text) THEN 'dropped' ELSE labels.kind END AS kind,
           CASE WHEN kannel_list_dropped_dlr(label, dlr_mask, text) THEN 'dlr' ELSE labels.outcome END AS outcome,
           time_src <> 'prefix'
               AND coalesce(msg_time = TIMESTAMP '1969-12-31 23:59:59' OR epoch = -1
                            OR (time_src = 'epoch' AND epoch_empty), false) AS time_unset,
           CASE
               WHEN time_unset THEN NULL
               WHEN time_src = 'prefix' THEN timezone(log_tz, ts)
               WHEN time_src = 'msg_time' THEN timezone('UTC', msg_time)
               WHEN time_src = 'epoch' THEN to_timestamp(epoch)
           END AS own_time
    FROM typed
    LEFT JOIN (SELECT unnest(kannel_labels(), recursive := true)) AS labels USING (label)
)
SELECT *,
       CASE
           WHEN line IS NULL THEN 'empty line'
           WHEN is_marker THEN NULL
           -- both boxes given one access-log file: smsbox's HTTP-request lines in it
           WHEN NOT head_ok AND len(list_filter(smsbox, lambda m: contains(line, m))) > 0
               THEN 'an smsbox access-log line (an HTTP request), not a bearerbox event: smsbox and bearerbox write to the same access-log file?'
           -- the gateway's own log (log-file) in the access log's file (both given one path), or
           -- offered instead of it: `DATE TIME [pid] [thread] LEVEL: ...` (gwlib/log.c)
           WHEN NOT head_ok AND regexp_matches(line, '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[\d+\] \[-?\d+\] (DEBUG|INFO|WARNING|ERROR|PANIC): ')
               THEN 'a line of the gateway''s own log ("[pid] [thread] LEVEL:"), not an access-log event: its log-file and access-log are the same file?'
           WHEN NOT head_ok AND with_prefix AND ts IS NULL
               THEN 'no "YYYY-MM-DD HH:MM:SS " time at the start of the line'
           WHEN NOT head_ok
               THEN 'fields missing or out of order for the access-log format (truncated or damaged line?)'
           WHEN is_sliced AND head_len IS NULL THEN 'LEN of [msg:] is not a number'
           WHEN is_sliced AND rest_chars < head_len * chars_per_byte
               THEN printf('truncated: the text is shorter than its LEN (%d bytes)', head_len)
           WHEN NOT tail_ok
               THEN printf('the text does not end where its LEN (%d bytes) says, or the fields after it are damaged', head_len)
           WHEN kind IS NULL THEN printf('unknown label "%s"', label)
           WHEN (flags_logged[1] <> '' AND mclass IS NULL) OR (flags_logged[2] <> '' AND coding IS NULL)
                OR (flags_logged[3] <> '' AND mwi IS NULL) OR (flags_logged[4] <> '' AND compress IS NULL)
                OR (flags_logged[5] <> '' AND dlr_mask IS NULL)
               THEN printf('a flag is out of range (mclass:coding:mwi:compress:dlr_mask = %s)',
                           array_to_string(flags_logged, ':'))
       END AS reason_pre,
       CASE
           WHEN line IS NULL OR is_marker THEN NULL
           -- (%a, is_squeezed: printable text loses spaces, so it may be shorter; hex keeps all)
           WHEN msg_len IS NOT NULL AND with_text
                AND CASE WHEN is_squeezed AND coalesce(coding, 0) NOT IN (1, 2) THEN length(text) > msg_len
                         ELSE length(text) <> msg_len::BIGINT * CASE WHEN coding IN (1, 2) THEN 2 ELSE 1 END END
               THEN printf('the text has %d characters but its LEN says %d bytes', length(text), msg_len)
           WHEN udh_len IS NOT NULL AND length(udh) <> 2 * udh_len::BIGINT
               THEN printf('the UDH has %d hex digits but its length says %d bytes', length(udh), udh_len)
           WHEN coding IN (1, 2) AND regexp_matches(text, '[^0-9A-Fa-f]')
               THEN printf('coding %d text is not hex', coding)
       END AS reason_post
FROM stamped;
