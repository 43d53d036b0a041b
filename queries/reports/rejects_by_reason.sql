-- Data quality: rejected lines grouped by reason, the commonest first, with one example
-- line and where it is (file, line) so the analyst can open the raw log.
with rejected as (
    select r.reason, r.line_no, r.raw, m.path
    from rejected_lines r
    join load_manifest m using (load_id)
),
by_reason as (
    select reason,
           count(*) as lines,
           count(distinct path) as files,
           arg_min(path, line_no) as example_file,
           min(line_no) as example_line,
           arg_min(raw, line_no) as example_raw
    from rejected
    group by reason
)
select reason, lines, files, example_file, example_line, left(example_raw, 160) as example_raw
from by_reason
order by lines desc, reason
