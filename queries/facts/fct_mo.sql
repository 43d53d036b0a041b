-- One row per MO line (R4, R5) with its normalised opt keyword.
-- Normalisation: the full-width forms of ASCII (U+FF01-FF5E, `ＳＴＯＰ` typed on an East
-- Asian keyboard or pasted) folded to ASCII one for one (DuckDB has no NFKC), upper case,
-- accents removed; anything but letters and digits becomes a
-- space -- except in lossy text (or a GSM text holding a '?', `unsure`), where a run of 2+
-- dots or a '?' inside a word stands for a character the log could not show (`ARR..T`,
-- `ARR?T`) and is kept (text_normalised); at
-- word edges they are punctuation; for the keyword they may also be word breaks (readings,
-- below). A single '.' is a word break in text_normalised: Kannel writes every byte outside
-- 0x20-0x7E as one '.', and a letter outside ASCII is 2-4 bytes in UTF-8 (`..` or more), so a
-- lone dot is a 1-byte character: punctuation, or a newline or tab (`Stop.merci`,
-- `Arr..t.svp`); but Kannel 1.4.2-1.4.3 keep an MO sent in Latin-1 (data_coding 3) as
-- Latin-1, one byte a letter (`arrêt` logged `arr.t`), so for the keyword a lone dot inside
-- a word is also read as a letter, '?' (readings, below). A '?'
-- stands for one character whatever its width (one that could not be converted to or from
-- GSM), so a single '?' can be a letter and stays. 8-bit text (coding 1) is lossy only when its
-- bytes are not UTF-8, that is a one-byte charset such as Latin-1 (`ARRÊT` = 41 52 52 CA 54,
-- logged `ARR.T`): there every '.' inside a word is one character, read as '?'.
-- keyword: 'STOP' when the message starts or ends with a stop keyword as whole words,
-- whatever its length (`Merci de ne plus m'envoyer de SMS STOP`: a subscriber often puts
-- the keyword last, after a sentence saying why; `... stop merci`: words of politeness may
-- stand around it, $stop_lead, $stop_tail), or is short (<= $keyword_max_words words)
-- and holds one anywhere; likewise 'START'; else NULL. A longer message holding one only in
-- the middle (`je voudrais arrêter ... mais ...`) is not an opt-out. Patterns ($stop_lead,
-- $stop_tail ...) come from the contract's keyword lists (opsanalytics.reference.
-- keyword_patterns: single-word stop keywords also in their French verb forms, `Arrêtez`,
-- `STOPPEZ`); a stop keyword wins over a start keyword.
-- The parts of a message Kannel did not combine (sms-combine-concatenated-mo = false, or a
-- part its timeout flushed alone: one line each, with its concatenation UDH) are judged as
-- one message, on the line of its last part: their texts joined in part order (`Bonjour ...`
-- + `STOP la semaine dernière ...` is no opt-out, as the one line Kannel writes when it
-- combines them is not); the other parts get no keyword.
CREATE OR REPLACE TABLE fct_mo AS
WITH mo_events AS (
    SELECT event_id(load_id, line_no) AS mo_id, * FROM events WHERE kind = 'mo'
),

-- parts of one message: same connection, numbers, reference and part count, each at most
-- $part_gap after the one before (references are reused)
mo_parts AS (
    SELECT
        m.mo_id, m.smsc, m.sender, m.receiver, m.logged_at, m.text, m.text_lossy,
        c.concat_ref, c.concat_total, c.concat_seq,
        coalesce(m.logged_at - lag(m.logged_at) OVER parts > $part_gap::INTERVAL, true) AS starts_message
    FROM mo_events AS m
    JOIN udh_concat_fields('mo_events') AS c USING (udh)   -- facts/macros.sql
    WHERE length(m.udh) >= 6 AND c.concat_total > 1
    WINDOW parts AS (PARTITION BY m.smsc, m.sender, m.receiver, c.concat_ref, c.concat_total
                     ORDER BY m.logged_at, m.mo_id)
),

part_messages AS (
    SELECT *,
           sum(starts_message::INTEGER) OVER (PARTITION BY smsc, sender, receiver, concat_ref, concat_total
                                               ORDER BY logged_at, mo_id) AS message_no
    FROM mo_parts
),

part_lines AS (
    SELECT *,
           row_number() OVER (PARTITION BY smsc, sender, receiver, concat_ref, concat_total, message_no,
                              concat_seq ORDER BY logged_at, mo_id) = 1 AS first_of_seq,
           -- the line judged: the last logged (in the same second, the later line)
           row_number() OVER (PARTITION BY smsc, sender, receiver, concat_ref, concat_total, message_no
                              ORDER BY logged_at DESC, mo_id DESC) = 1 AS last_line
    FROM part_messages
),

-- each message's text (a part repeated counts once)
joined AS (
    SELECT
        smsc, sender, receiver, concat_ref, concat_total, message_no,
        string_agg(coalesce(text, ''), '' ORDER BY concat_seq) FILTER (WHERE first_of_seq) AS message_text,
        bool_or(text_lossy) AS message_lossy
    FROM part_lines
    GROUP BY smsc, sender, receiver, concat_ref, concat_total, message_no
),

-- every part line: judged (the message's last, given the message's text) or not
part_roles AS (
    SELECT p.mo_id, p.last_line AS judged,
           CASE WHEN p.last_line THEN j.message_text END AS message_text,
           CASE WHEN p.last_line THEN j.message_lossy END AS message_lossy
    FROM part_lines AS p
    JOIN joined AS j USING (smsc, sender, receiver, concat_ref, concat_total, message_no)
),

judged AS (
    SELECT
        e.* REPLACE (coalesce(r.message_text, e.text) AS text, coalesce(r.message_lossy, e.text_lossy) AS text_lossy),
        e.text AS line_text,
        e.text_lossy AS line_lossy,
        coalesce(r.judged, true) AS judged   -- (a part not its message's last: no keyword)
    FROM mo_events AS e
    LEFT JOIN part_roles AS r USING (mo_id)
),

mo_lines AS (
    SELECT
        *,
        -- (fullwidth forms, U+FF01-U+FF5E, as their ASCII letters: translated only in a text
        -- that holds one, translate being slow on every text: 5 M lines, fct_mo 2.0 -> 0.9 s)
        upper(strip_accents(CASE
            WHEN regexp_matches(coalesce(text, ''), '[\x{FF01}-\x{FF5E}]')
                THEN translate(
                    coalesce(text, ''),
                    '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～',
                    '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
                )
            ELSE coalesce(text, '')
        END)) AS upper_text,
        -- (may hide characters: lossy, or a GSM text holding a '?', which stands for a character
        -- that could not be converted whether or not the text also has a '.': `ARR?T`)
        text_lossy OR (coalesce(coding, 0) NOT IN (1, 2) AND contains(coalesce(text, ''), '?')) AS unsure
    FROM judged
),

spaced AS (
    SELECT
        *,
        CASE
            WHEN text_lossy AND coding = 1 THEN regexp_replace(
                regexp_replace(regexp_replace(replace(upper_text, '.', '?'), '[^A-Z0-9?]+', ' ', 'g'),
                               '(^| )[?]+', '\1', 'g'),
                '[?]+( |$)', '\1', 'g')
            WHEN unsure THEN regexp_replace(
                regexp_replace(replace(dotted, '!', ' '), '(^| )[.?]+', '\1', 'g'),
                '[.?]+( |$)', '\1', 'g')
            ELSE regexp_replace(upper_text, '[^A-Z0-9]+', ' ', 'g')
        END AS spaced_text,
        -- the same with every lone '.' inside a word read as a letter ('?'); NULL: none
        CASE WHEN unsure AND coding IS DISTINCT FROM 1 AND contains(dotted, '!') THEN trim(regexp_replace(
            regexp_replace(
                regexp_replace(replace(dotted, '!', '?'), '(^| )[.?]+', '\1', 'g'),
                '[.?]+( |$)', '\1', 'g'),
            ' +', ' ', 'g')) END AS lone_letters
    FROM (
        SELECT *,
               -- lossy GSM text: a lone '.' marked '!' (no longer in the text here), runs of
               -- 2+ dots kept
               CASE WHEN unsure AND coding IS DISTINCT FROM 1 THEN array_to_string(list_transform(
                   regexp_extract_all(regexp_replace(upper_text, '[^A-Z0-9.?]+', ' ', 'g'), '\.+|[^.]+'),
                   lambda piece: CASE WHEN piece = '.' THEN '!' ELSE piece END), '') END AS dotted
        FROM mo_lines
    )
),

normalised AS (
    SELECT *, trim(regexp_replace(spaced_text, ' +', ' ', 'g')) AS norm
    FROM spaced
),

words AS (
    SELECT *, CASE WHEN norm = '' THEN 0 ELSE length(string_split(norm, ' ')) END AS n_words
    FROM normalised
),

-- a lossy message is read twice: its dots and '?' inside words as the letters the log lost
-- (`ARR..T`), and as the word breaks they may as well be (`Stop` CR LF `merci` and
-- `Merci...STOP` are logged `Stop..merci`, `Merci...STOP`: Kannel's own keyword service,
-- which sees the real text, answers them as STOPs). A lone dot inside a word (lone_letters)
-- adds two readings: it as a letter, the runs as letters and as word breaks (`arr.t`,
-- `arr.t..merci`; `Stop.merci` stays a STOP by the first two). A keyword in any reading counts.
readings AS (
    SELECT mo_id, reading, CASE WHEN reading = '' THEN 0 ELSE length(string_split(reading, ' ')) END AS n_words
    FROM (
        SELECT mo_id,
               unnest(CASE WHEN lone_letters IS NOT NULL
                           THEN [norm, trim(regexp_replace(norm, '[.?]+', ' ', 'g')), lone_letters,
                                 trim(regexp_replace(lone_letters, '\.+', ' ', 'g'))]
                           WHEN unsure AND regexp_matches(norm, '[.?]')
                           THEN [norm, trim(regexp_replace(norm, '[.?]+', ' ', 'g'))]
                           ELSE [norm] END) AS reading
        FROM words
    )
),

keywords AS (
    SELECT
        mo_id,
        CASE
            -- (every STOP test before any START test: `START puis STOP` is an opt-out)
            WHEN bool_or(regexp_matches(reading, $stop_lead) OR regexp_matches(reading, $stop_tail)
                         OR (n_words <= $keyword_max_words AND regexp_matches(reading, $stop_any))) THEN 'STOP'
            WHEN bool_or(regexp_matches(reading, $start_lead) OR regexp_matches(reading, $start_tail)
                         OR (n_words <= $keyword_max_words AND regexp_matches(reading, $start_any))) THEN 'START'
        END AS keyword
    FROM readings
    GROUP BY mo_id
)

SELECT
    w.mo_id,
    w.load_id,
    w.line_no,
    w.logged_at AS received_at,
    w.label,
    w.outcome,
    w.smsc,
    w.account,
    coalesce(n.msisdn, w.sender) AS msisdn,
    w.sender AS msisdn_raw,
    coalesce(n.number_kind, 'malformed') AS number_kind,
    n.territory AS number_territory,
    w.receiver,
    coalesce(sc.code, short_code_written(w.receiver)) AS short_code,
    w.coding,
    w.line_text AS text,
    w.line_lossy AS text_lossy,
    w.udh,
    w.norm AS text_normalised,
    CASE WHEN w.judged THEN k.keyword END AS keyword,
    nullif(split_part(w.norm, ' ', 1), '') AS first_word
FROM words AS w
JOIN keywords AS k USING (mo_id)
LEFT JOIN ref_connections AS sc ON sc.smsc = w.smsc
LEFT JOIN int_msisdn AS n ON n.raw = w.sender
