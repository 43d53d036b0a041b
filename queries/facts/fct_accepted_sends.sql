-- Every accepted MT line of a logical message, as the time it reached Orange (a view): the
-- rules on *when* a message was sent (R2 the window, R4 after a STOP, R5 the session) judge
-- each line, each with its own short code, connection and OAdC (a resend may leave on another
-- code), and name the line in breach (send_mt_id, the audits' breach_mt_id). A message of one
-- line is its row of fct_accepted_attempts; the lines of a multi-line one (parts, folded
-- resends) come from fct_mt: part 2 left at 22:00:00 after part 1 at 21:59:59, a refused part
-- resent after the window closed, after the number's STOP, after the 34ABC session ended, or
-- a middle part sent between a STOP and a START.
CREATE OR REPLACE VIEW fct_accepted_sends AS
SELECT
    logical_id, mt_ids, msisdn, service, brand, category,
    smsc, short_code, oadc, submitted_at AS sent_at, attempt_mt_id AS send_mt_id
FROM fct_accepted_attempts
WHERE len(mt_ids) = 1
UNION ALL
SELECT
    l.logical_id, l.mt_ids, l.msisdn, l.service, l.brand, l.category,
    m.smsc, m.short_code, m.oadc, m.submitted_at, m.mt_id
FROM fct_logical_messages AS l
JOIN fct_mt AS m ON m.logical_id = l.logical_id
WHERE len(l.mt_ids) > 1
  AND l.accepted
  -- the lines fct_logical_messages counts as sent: accepted, or part 1 of a message Kannel
  -- split itself that went through before a later part failed (partly_sent)
  AND (m.outcome = 'accepted' OR m.partly_sent)
  AND m.forwarded IS NULL
