-- Data quality: every file offered to `ingest`, newest first, with the accounting that
-- proves no line was lost (lines = events + markers + rejected).
with files as (
    select load_id, path, format, log_timezone, size_bytes, lines, events, markers, rejected,
           state, loaded_at
    from load_manifest
)
select load_id, path, format, log_timezone, size_bytes, lines, events, markers, rejected,
       lines = events + markers + rejected as balanced,
       state, loaded_at
from files
order by loaded_at desc, load_id desc
