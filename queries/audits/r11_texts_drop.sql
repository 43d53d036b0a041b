-- R11 CONTENT, last step: the temporary table of r11_texts.sql dropped once r11_content has
-- read it (also after a failure: a read-only connection stays usable).
drop table if exists temp.audit_r11_texts
