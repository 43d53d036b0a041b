-- Macros of the fact layer (temporary: defined on the building connection before the steps).
-- The id of an event everywhere downstream (mt_id, dlr_id, mo_id; docs/schema.md): its
-- provenance (load_id, line_no) as one BIGINT.
CREATE OR REPLACE TEMP MACRO event_id(load_id, line_no) AS load_id::BIGINT * 10000000000 + line_no;

-- The short code a sender (MT) or receiver (MO) written as a number names, when the contract
-- maps no connection to one: five digits, also behind the French country code that some SMSCs
-- put before it (`+3336180`, `+33 36180`, `0033 36180`); NULL for anything else.
CREATE OR REPLACE TEMP MACRO short_code_written(x) AS CASE
    WHEN regexp_full_match(x, '[0-9]{5}') THEN x
    WHEN regexp_full_match(x, '(\+33|0033|33) ?[0-9]{5}') THEN right(x, 5)
END;
