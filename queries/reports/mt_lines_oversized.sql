-- Data quality: MT lines whose LEN makes more segments than any message can have (the
-- concatenation header counts the parts in one byte: 255 at most), i.e. a damaged LEN. status,
-- R8 and R9 count them as logged: one such line can make a "proven" R8 breach of thousands.
-- The number of such lines, the largest count, and the worst line's file and line number.
select count(*) as lines,
       max(t.segments) as segments,
       arg_max(m.path, t.segments) as path,
       arg_max(t.line_no, t.segments) as line_no
from fct_mt as t
join load_manifest as m using (load_id)
where t.segments > $max_parts
having count(*) > 0
