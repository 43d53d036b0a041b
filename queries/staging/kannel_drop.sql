-- Drop the Kannel staging tables of the connection (before and after a load).
DROP TABLE IF EXISTS stg_kannel_left;
DROP TABLE IF EXISTS stg_kannel_slow;
DROP TABLE IF EXISTS stg_kannel_again;
DROP TABLE IF EXISTS stg_kannel_shift;
DROP TABLE IF EXISTS stg_kannel_joined;
