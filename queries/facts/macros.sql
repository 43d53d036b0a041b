-- Macros of the fact layer (temporary: defined on the building connection before the steps).
-- The id of an event everywhere downstream (mt_id, dlr_id, mo_id; docs/schema.md): its
-- provenance (load_id, line_no) as one BIGINT.
CREATE OR REPLACE TEMP MACRO event_id(load_id, line_no) AS load_id::BIGINT * 10000000000 + line_no;

-- The short code a sender (MT) or receiver (MO) written as a number names, when the contract
-- maps no connection to one: five digits, also behind the French country code that some SMSCs
-- put before it (`+3336180`, `+33 36180`, `0033 36180`), or behind a lone '+' (Kannel adds it
-- to an address of type international: `+34180`, real Kannel 1.4.5); NULL for anything else.
CREATE OR REPLACE TEMP MACRO short_code_written(x) AS CASE
    WHEN regexp_full_match(x, '\+?[0-9]{5}') THEN right(x, 5)
    WHEN regexp_full_match(x, '(\+33|0033|33) ?[0-9]{5}') THEN right(x, 5)
END;

-- The DLR status mask Kannel logs for an SMPP receipt's `stat:` (handle_dlr in
-- gw/smsc/smsc_smpp.c: DELIVRD 1; ACCEPTD, ACKED, BUFFRED, BUFFERD, ENROUTE 4 buffered; any
-- other stat 2 failed; EXPIRED 34 as 1.4.5 logs it); NULL without one. For DLR lines whose
-- log carries no mask (fct_dlr) or an unset one (a FAILED Receive DLR: fct_mt_status).
CREATE OR REPLACE TEMP MACRO stat_mask(stat) AS CASE
    WHEN stat IS NULL OR stat = '' THEN NULL
    WHEN stat = 'DELIVRD' THEN 1
    WHEN stat IN ('ACCEPTD', 'ACKED', 'BUFFRED', 'BUFFERD', 'ENROUTE') THEN 4
    WHEN stat = 'EXPIRED' THEN 34
    ELSE 2
END;
