-- The connection of MT and DLR lines logged with an empty SMSC although they went out on one
-- (one row per such line that can be placed). bearerbox logs a message it gives up on outside
-- any connection (gw/bb_smscconn.c: bb_smscconn_send_failed with no SMSCConn) with the smsc-id
-- the sendsms request named, so empty when routing chose the link (the usual set-up): the
-- `DISCARDED SMS` of a message whose sms-resend-retry ran out on the link, an `EXPIRED SMS`,
-- the one failure line of a message Kannel split itself whose part 1 the SMSC had accepted
-- (with part 1's FID), and Kannel's NACK after each (real Kannel 1.4.5,
-- tests/fixtures/kannel-1.4.5/discarded). Read as the empty connection, part 1's receipts on
-- the link linked to no MT, and a line from a sender name (OAdC option) had no short code
-- (R6 unknown_short_code, R7 not_short_code on a message that went out on 36180).
--   'fid':   a line with a FID takes the one connection that the other lines of that FID and
--            number name (part 1's receipts, Kannel's ACK): fct_dlr links on it, fct_mt
--            attributes the short code from it;
--   'parts': an MT part of a message the application split, without a FID (refused whole),
--            takes the one connection its other parts (same service, sender, number, reference
--            and total) went on within $part_gap of it: fct_mt and the assembly of the message
--            read it; fct_dlr does not (Kannel's NACK for it, logged with an empty SMSC and no
--            FID too, is linked to it by context on the connection as logged).
-- A line with neither (a message refused whole, never on a link) keeps its empty connection.
-- Only the lines with an empty SMSC are looked up: few, so the lookups cost a scan, no more.
CREATE OR REPLACE TABLE int_line_connection AS
WITH blank AS MATERIALIZED (
    SELECT event_id(load_id, line_no) AS line_id, kind, fid, service, sender, receiver, udh, logged_at
    FROM events
    WHERE kind IN ('mt', 'dlr') AND coalesce(smsc, '') = ''
),

by_fid AS (
    SELECT b.line_id, min(e.smsc) AS smsc
    FROM blank AS b
    JOIN events AS e
        ON e.fid = b.fid AND e.receiver = b.receiver AND e.kind IN ('mt', 'dlr') AND e.smsc <> ''
    WHERE b.fid <> ''
    GROUP BY b.line_id
    HAVING count(DISTINCT e.smsc) = 1
),

blank_parts AS (
    SELECT b.*, c.concat_ref, c.concat_total
    FROM blank AS b
    JOIN udh_concat_fields('blank') AS c USING (udh)   -- facts/macros.sql
    WHERE b.kind = 'mt' AND b.fid = ''
),

sibling_lines AS (
    SELECT e.smsc, e.service, e.sender, e.receiver, e.logged_at, e.udh
    FROM events AS e
    SEMI JOIN blank_parts AS b ON b.receiver = e.receiver AND b.sender = e.sender
    WHERE e.kind = 'mt' AND e.smsc <> ''
),

by_parts AS (
    SELECT b.line_id, min(s.smsc) AS smsc
    FROM blank_parts AS b
    JOIN sibling_lines AS s
        ON s.receiver = b.receiver AND s.sender = b.sender AND s.service IS NOT DISTINCT FROM b.service
        AND s.logged_at BETWEEN b.logged_at - $part_gap::INTERVAL AND b.logged_at + $part_gap::INTERVAL
    JOIN udh_concat_fields('sibling_lines') AS c
        ON c.udh = s.udh AND c.concat_ref = b.concat_ref AND c.concat_total = b.concat_total
    GROUP BY b.line_id
    HAVING count(DISTINCT s.smsc) = 1
)

SELECT line_id, smsc, 'fid' AS found_by FROM by_fid
UNION ALL
SELECT line_id, smsc, 'parts' AS found_by FROM by_parts
