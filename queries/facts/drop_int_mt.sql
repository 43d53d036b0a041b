-- int_mt is fct_mt without logical_id: drop the copy once fct_mt is built.
DROP TABLE IF EXISTS int_mt
