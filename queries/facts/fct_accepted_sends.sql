-- The times at which an accepted attempt of a logical message reached Orange (a view): the
-- rules on *when* a message was sent (R2 the window, R4 after a STOP, R5 the session) judge
-- each. An attempt's first accepted line is its row of fct_accepted_attempts; when its last
-- accepted line is another (a multipart message whose part 2 left at 22:00:00 after part 1
-- at 21:59:59, a part refused and resent 50 minutes later), that line is a second row, with
-- its own time and line (send_mt_id, the audits' breach_mt_id). Only the first and the last
-- line are judged: the lines of one attempt lie minutes apart (at most
-- greatest(retry_minutes, 10 minutes) between two), so a line between them could be outside
-- the window, past a STOP or a session while both are not only if the window closed and
-- reopened, or a STOP and a START came, within those minutes.
CREATE OR REPLACE VIEW fct_accepted_sends AS
SELECT
    logical_id, mt_ids, msisdn, service, brand, category,
    smsc, short_code, oadc, submitted_at AS sent_at, attempt_mt_id AS send_mt_id, attempt_mt_id
FROM fct_accepted_attempts
UNION ALL
SELECT
    logical_id, mt_ids, msisdn, service, brand, category,
    smsc, short_code, oadc, last_submitted_at, last_mt_id, attempt_mt_id
FROM fct_accepted_attempts
WHERE last_mt_id <> attempt_mt_id
