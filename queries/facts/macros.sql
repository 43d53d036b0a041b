-- Macros of the fact layer (temporary: defined on the building connection before the steps).
-- The id of an event everywhere downstream (mt_id, dlr_id, mo_id; docs/schema.md): its
-- provenance (load_id, line_no) as one BIGINT.
CREATE OR REPLACE TEMP MACRO event_id(load_id, line_no) AS load_id::BIGINT * 10000000000 + line_no;
