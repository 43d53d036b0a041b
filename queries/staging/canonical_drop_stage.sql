-- The staging copy of a canonical file is not kept once loaded.
DROP TABLE IF EXISTS canonical_stage;
DROP TABLE IF EXISTS canonical_template;
