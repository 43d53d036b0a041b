-- int_mt (temporary) is fct_mt without logical_id: drop it once fct_mt is built.
DROP TABLE IF EXISTS int_mt
