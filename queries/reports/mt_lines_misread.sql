-- Kannel loads (of $load_ids) whose `Sent SMS` lines do not read as Kannel writes them: most
-- receivers names rather than numbers (an MT goes to a handset: `to` is a number, `from` may be
-- a name), or no coding on any of them (Kannel writes 0, 1 or 2 on every MT it sent; -1 is
-- unset). The likely cause is a contract access_log_format naming the gateway's fields in
-- another order (%p/%P, %m/%c swapped): every line then loads, misread, and no line is
-- rejected to say so (a real Kannel 1.4.5 log, %p;%P read as %P;%p: every MT "to" ACME).
-- A field the format leaves out (NULL) counts as neither.
select
    m.path,
    count(*) as mt_lines,
    count(*) filter (where not regexp_full_match(e.receiver, '\+?[0-9][0-9 ]*')) as named_receivers,
    min(e.receiver) filter (where not regexp_full_match(e.receiver, '\+?[0-9][0-9 ]*')) as named_example,
    count(*) filter (where e.coding = -1) as coding_unset
from events as e
join load_manifest as m using (load_id)
where e.load_id in (select unnest($load_ids))
  and e.kind = 'mt'
  and e.label = 'Sent SMS'
group by m.path
having count(*) >= $min_lines
   and (2 * count(*) filter (where not regexp_full_match(e.receiver, '\+?[0-9][0-9 ]*')) > count(*)
        or count(*) filter (where e.coding = -1) = count(*))
order by m.path
