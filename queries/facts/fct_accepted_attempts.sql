-- One row per attempt of a logical message that the platform accepted (a view: nothing is
-- copied). R1 counts logical messages, but the rules on what was sent judge every accepted
-- submission (R2 its time, R3 its short code against the text, R4 its time after a STOP,
-- R5 its session, R6 its range, R7 its OAdC): a resend folded into a message whose first
-- attempt was accepted and then failed is sent again, maybe later, maybe on another short
-- code or with another OAdC, and its own breach must not hide behind the first attempt.
-- Almost every message has one attempt: its own row. A folded message (attempts > 1) gives
-- one row per entry of its accepted_attempts, the message's other columns repeated.
-- attempt_mt_id: the attempt's first accepted MT line, the raw line that shows its time,
-- short code and OAdC (the audits' breach_mt_id).
CREATE OR REPLACE VIEW fct_accepted_attempts AS
SELECT
    logical_id, mt_ids, msisdn, service, brand, category,
    smsc, short_code, oadc, submitted_at, first_accepted_mt_id AS attempt_mt_id,
    text, text_lossy
FROM fct_logical_messages
WHERE accepted AND attempts = 1
UNION ALL
SELECT
    l.logical_id, l.mt_ids, l.msisdn, l.service, l.brand, l.category,
    a.attempt.smsc, a.attempt.short_code, a.attempt.oadc, a.attempt.submitted_at, a.attempt.mt_id,
    l.text, l.text_lossy
FROM fct_logical_messages AS l, unnest(l.accepted_attempts) AS a(attempt)
WHERE l.attempts > 1
