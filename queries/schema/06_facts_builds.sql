-- Every rebuild of the fact tables (opsanalytics.facts.build), with the fingerprint of what
-- they were built from: the loads, the contract, the code (facts.fingerprint). `ingest` keeps
-- the facts as they are when nothing it was given is new and the last fingerprint still
-- matches, instead of rebuilding them from every event again.
CREATE TABLE IF NOT EXISTS facts_builds (
    built_at    TIMESTAMPTZ NOT NULL,
    fingerprint VARCHAR     NOT NULL,   -- sha256, hex
    seconds     DOUBLE      NOT NULL    -- how long the rebuild took
);
-- the code that built them (facts.code_fingerprint): readers refuse facts another version of
-- opsanalytics built (added empty to warehouses made before it: such facts are refused too)
ALTER TABLE facts_builds ADD COLUMN IF NOT EXISTS code_fingerprint VARCHAR;
