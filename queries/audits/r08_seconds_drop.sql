-- R8 RATE, last step: the temporary table of r08_seconds.sql dropped once r08_rate and
-- r08_rate_summary have read it (also after a failure: a read-only connection stays usable).
drop table if exists temp.audit_r08_seconds
